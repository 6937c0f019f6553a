"""gunicorn.conf.py: the master builds the search index before the port opens, then forks."""
import importlib.util
import logging
from pathlib import Path

from search import backend
from tests.factories import make_specialist

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def _conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Loaded:
    def __init__(self, app):
        self.app = app

    def wsgi(self):
        return self.app


class _Master:
    """What the hooks use of gunicorn's arbiter: the preloaded app and its logger."""

    def __init__(self, app):
        self.app = _Loaded(app)
        self.log = logging.getLogger("test.gunicorn")


def test_the_app_is_preloaded_so_workers_fork_from_a_built_index():
    assert _conf().preload_app is True


def test_on_starting_builds_the_index_in_the_master_and_reports_progress(app, session, caplog):
    make_specialist(session, specialty="207RH0003X")
    make_specialist(session, specialty="207RC0000X")
    session.commit()
    with app.app_context():
        assert backend()._snapshot is None  # nothing built before the hook
    caplog.set_level(logging.INFO, logger="test.gunicorn")
    _conf().on_starting(_Master(app))
    with app.app_context():
        built = backend()._snapshot
    assert built is not None and built.parts[0][0].n_specialists == 2
    said = [r.getMessage() for r in caplog.records if r.name == "test.gunicorn"]
    assert any("read 2 specialists" in line for line in said)
    assert said[-1].startswith("ready in") and "opening the port" in said[-1]
