"""Configuration read from the environment, with a working embedded default for every setting."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Config:
    """Every setting of the service; `from_env` fills it from environment variables."""

    SECRET_KEY: str = "dev-only-secret-change-me"
    DATABASE_URL: str = f"sqlite:///{VAR_DIR / 'secondlook.db'}"
    SEARCH_BACKEND: str = "embedded"  # "embedded" | "elasticsearch" | "opensearch"
    # How often, at most, a process compares its in-memory plans with insurance_version (api/coverage/plan_cache.py).
    PLAN_CACHE_POLL_INTERVAL_S: float = 1.0
    ELASTICSEARCH_URL: str = "http://127.0.0.1:9200"
    ELASTICSEARCH_INDEX: str = "secondlook-specialists"
    ELASTICSEARCH_TIMEOUT_S: float = 5.0
    # Comma-separated node URLs; in production the deployment's own cluster (AWS OpenSearch Service
    # or self-hosted, `https://user:password@host`), locally the node `make opensearch` starts.
    OPENSEARCH_URL: str = "http://127.0.0.1:9200"
    OPENSEARCH_INDEX: str = "secondlook-specialists"
    OPENSEARCH_TIMEOUT_S: float = 5.0
    GEOCODER: str = "offline"  # "offline" (ZIP centroids) | "nominatim"
    GEOCODER_USER_AGENT: str = "secondlook/0.1"
    GEOCODER_TIMEOUT_S: float = 5.0
    TOKEN_TTL_S: int = 12 * 3600
    MAX_CONTENT_LENGTH: int = 1 * 1024 * 1024
    LOG_LEVEL: str = "INFO"
    LOG_FORMAT: str = "json"  # "json" (one object a line, with request_id) | "text"
    # Rate limits ("10/minute", the `limits` syntax), per client address. Counters: a memory-mapped
    # file every worker on this machine shares ("shared-file://<path>"), or "redis://host:6379".
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_STORAGE_URI: str = f"shared-file://{VAR_DIR / 'ratelimit.counters'}"
    RATE_LIMIT_LOGIN: str = "10/minute"
    RATE_LIMIT_SEARCH: str = "120/minute"
    # Wrong passwords (api/auth/throttle.py): counted in the database per e-mail and per address; past
    # the free ones each failure blocks for LOGIN_BACKOFF_BASE_S doubling, up to LOGIN_LOCKOUT_S.
    LOGIN_MAX_FAILURES: int = 5  # per e-mail (whether or not it has an account)
    LOGIN_ADDRESS_MAX_FAILURES: int = 20  # per client address, over every e-mail
    LOGIN_BACKOFF_BASE_S: int = 2
    LOGIN_LOCKOUT_S: int = 15 * 60  # the longest a block lasts; a password reset always clears it
    # Registration, reset, login: answered no sooner than this, so an answer's time tells nothing.
    ACCOUNT_ANSWER_FLOOR_MS: int = 250
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"  # the links in e-mails start with it
    VERIFY_TOKEN_TTL_S: int = 48 * 3600
    RESET_TOKEN_TTL_S: int = 3600
    INVITATION_TTL_S: int = 14 * 24 * 3600
    # E-mail (api/mail): "log" writes to the log and MAIL_MBOX; "smtp" sends through SMTP_HOST.
    MAILER: str = "log"
    MAIL_FROM: str = "SecondLook <no-reply@secondlook.test>"
    MAIL_MBOX: str = str(VAR_DIR / "mail.mbox")
    MAIL_BACKGROUND: bool = True  # send on a background thread after the commit (false: before answering)
    SMTP_HOST: str = "127.0.0.1"
    SMTP_PORT: int = 25
    SMTP_USER: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_STARTTLS: bool = False
    SMTP_TIMEOUT_S: float = 10.0
    CORS_ORIGINS: str = ""  # comma-separated origins allowed to call the API from a browser; empty: none
    HSTS_ENABLED: bool = False  # send Strict-Transport-Security on every response (behind TLS termination)
    HSTS_MAX_AGE_S: int = 365 * 24 * 3600
    METRICS_ENABLED: bool = True  # serve Prometheus metrics at /metrics
    # Self-pay through Stripe (test-mode placeholders; STRIPE_API_BASE points at localstripe in tests).
    STRIPE_SECRET_KEY: str = "sk_test_secondlook_placeholder"
    STRIPE_WEBHOOK_SECRET: str = "whsec_secondlook_placeholder"
    STRIPE_API_BASE: str = "https://api.stripe.com"
    STRIPE_TIMEOUT_S: float = 10.0
    STRIPE_MAX_NETWORK_RETRIES: int = 2
    HOLD_MINUTES: int = 15
    CANCELLATION_FULL_REFUND_HOURS: int = 24  # earlier: full refund; later: LATE_CANCELLATION_REFUND_PCT
    LATE_CANCELLATION_REFUND_PCT: int = 50
    RECORDS_STORAGE: str = "local"  # "local" (RECORDS_DIR) | "s3" (S3_BUCKET at S3_ENDPOINT_URL)
    RECORDS_DIR: str = str(VAR_DIR / "records")
    RECORDS_MAX_BYTES: int = 25 * 1024 * 1024
    S3_ENDPOINT_URL: str = ""
    S3_BUCKET: str = ""
    # Comma-separated: "log" (ids and statuses only), "email" (to the people concerned, through MAILER),
    # "webhook" (POST to NOTIFIER_WEBHOOK_URL).
    NOTIFIER: str = "log,email"
    NOTIFIER_WEBHOOK_URL: str = ""
    NOTIFIER_TIMEOUT_S: float = 2.0  # a webhook is called right after a user request commits
    # The web app's payment page: Stripe.js from Stripe (or localstripe's fake at <localstripe>/js.stripe.com/v3/).
    STRIPE_JS_URL: str = "https://js.stripe.com/v3/"
    STRIPE_PUBLISHABLE_KEY: str = "pk_test_secondlook_placeholder"
    TESTING: bool = False

    # flask-smorest / OpenAPI settings are constants, not environment.
    API_TITLE: str = field(default="SecondLook API", init=False)
    API_VERSION: str = field(default="1.0.0", init=False)
    OPENAPI_VERSION: str = field(default="3.1.0", init=False)
    OPENAPI_URL_PREFIX: str = field(default="/", init=False)
    OPENAPI_JSON_PATH: str = field(default="openapi.json", init=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Build a Config from environment variables named like its fields."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if not f.init or f.name not in environ:
                continue
            raw = environ[f.name]
            kind = type(getattr(cls, f.name))
            values[f.name] = _bool(raw) if kind is bool else kind(raw)
        return cls(**values)

    def as_flask(self) -> dict:
        """The settings as a mapping for `app.config.update`."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class TestConfig(Config):
    """Settings for the test suite: its own database, no secrets that matter."""

    __test__ = False  # not a pytest test class, despite the name

    TESTING: bool = True
    SECRET_KEY: str = "test-secret"
    LOG_FORMAT: str = "text"
    # Limits stay on in tests, high enough that no other test trips them.
    RATE_LIMIT_LOGIN: str = "10000/minute"
    RATE_LIMIT_SEARCH: str = "10000/minute"
    RATELIMIT_STORAGE_URI: str = "shared-file://"  # counters private to each test's app
    LOGIN_ADDRESS_MAX_FAILURES: int = 10000  # every test client is 127.0.0.1
    ACCOUNT_ANSWER_FLOOR_MS: int = 0
    MAIL_MBOX: str = ""
    MAIL_BACKGROUND: bool = False  # a test reads the mail as soon as the request has answered
    NOTIFIER: str = "log"
    DATABASE_URL: str = os.environ.get("SECONDLOOK_TEST_DATABASE_URL", "sqlite:///" + str(VAR_DIR / "test.db"))
