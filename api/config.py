"""Configuration read from the environment, with a working embedded default for every setting."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = REPO_ROOT / "var"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Config:
    """Every setting of the service; `from_env` fills it from environment variables."""

    SECRET_KEY: str = "dev-only-secret-change-me"
    DATABASE_URL: str = f"sqlite:///{VAR_DIR / 'secondlook.db'}"
    SEARCH_BACKEND: str = "embedded"  # "embedded" | "elasticsearch"
    ELASTICSEARCH_URL: str = "http://127.0.0.1:9200"
    ELASTICSEARCH_INDEX: str = "secondlook-specialists"
    ELASTICSEARCH_TIMEOUT_S: float = 5.0
    GEOCODER: str = "offline"  # "offline" (ZIP centroids) | "nominatim"
    GEOCODER_USER_AGENT: str = "secondlook/0.1"
    GEOCODER_TIMEOUT_S: float = 5.0
    TOKEN_TTL_S: int = 12 * 3600
    MAX_CONTENT_LENGTH: int = 1 * 1024 * 1024
    LOG_LEVEL: str = "INFO"
    LOG_FORMAT: str = "json"  # "json" (one object a line, with request_id) | "text"
    # Rate limits (Flask-Limiter syntax), per client address; storage "memory://" or "redis://host:6379".
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_STORAGE_URI: str = "memory://"
    RATE_LIMIT_LOGIN: str = "10/minute"
    RATE_LIMIT_SEARCH: str = "120/minute"
    LOGIN_MAX_FAILURES: int = 5  # consecutive wrong passwords before the account is locked
    LOGIN_LOCKOUT_S: int = 15 * 60
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
    NOTIFIER: str = "log"  # "log" (ids and statuses only) | "webhook" (POST to NOTIFIER_WEBHOOK_URL)
    NOTIFIER_WEBHOOK_URL: str = ""
    NOTIFIER_TIMEOUT_S: float = 2.0  # a webhook is called right after a user request commits
    # The web app's payment page: Stripe.js from Stripe (or localstripe's fake at <localstripe>/js.stripe.com/v3/).
    STRIPE_JS_URL: str = "https://js.stripe.com/v3/"
    STRIPE_PUBLISHABLE_KEY: str = "pk_test_secondlook_placeholder"
    TESTING: bool = False

    # flask-smorest / OpenAPI settings are constants, not environment.
    API_TITLE: str = field(default="SecondLook API", init=False)
    API_VERSION: str = field(default="1.0.0", init=False)
    OPENAPI_VERSION: str = field(default="3.0.3", init=False)
    OPENAPI_URL_PREFIX: str = field(default="/", init=False)
    OPENAPI_JSON_PATH: str = field(default="openapi.json", init=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Config":
        """Build a Config from environment variables named like its fields."""
        environ = os.environ if environ is None else environ
        values = {}
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
    DATABASE_URL: str = os.environ.get(
        "SECONDLOOK_TEST_DATABASE_URL", "sqlite:///" + str(VAR_DIR / "test.db")
    )
