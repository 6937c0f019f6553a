"""A seeded synthetic directory in its own SQLite file, shared by the tests of this folder."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy.orm import sessionmaker

from api.db import make_engine
from api.migrate import upgrade
from search.documents import build_documents
from seed_data.synthetic import seed_directory

SPECIALISTS = 2000
SEED = 20261122


def seeded_directory(folder: Path, count: int = SPECIALISTS):
    """(session factory, every document) of a freshly migrated and seeded database under `folder`."""
    engine = make_engine(f"sqlite:///{folder / 'directory.db'}")
    upgrade(engine)
    seed_directory(engine, count, seed=SEED, out=io.StringIO())
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        docs = list(build_documents(session))
    return factory, docs
