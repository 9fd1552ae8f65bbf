"""Fixtures shared by the whole suite.

Every test that asks for ``app`` (directly or through ``client`` or ``db_session``) runs
twice: on SQLite and on PostgreSQL at 127.0.0.1:5432. Without PostgreSQL the suite says so
loudly and runs SQLite alone, unless WORKFORCE_REQUIRE_POSTGRES=1 (as in CI), when it fails.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from tests import builders

os.environ.setdefault("WORKFORCE_ENV", "testing")

PG_HOST = os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1")
PG_PORT = os.environ.get("TEST_POSTGRES_PORT", "5432")
PG_USER = os.environ.get("TEST_POSTGRES_USER", "postgres")
REQUIRE_PG = os.environ.get("WORKFORCE_REQUIRE_POSTGRES") == "1"


def _postgres_problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3
        ):
            return None
    except Exception as error:  # noqa: BLE001  (any failure means: not reachable)
        return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)


PG_PROBLEM = _postgres_problem()
BACKENDS = ["sqlite"] + ([] if PG_PROBLEM else ["postgresql"])
NO_PG_BANNER = (
    "\n" + "!" * 78 + f"\n!! PostgreSQL at {PG_HOST}:{PG_PORT} is not reachable: {PG_PROBLEM}\n"
    "!! Database tests run on SQLite ONLY. CI (.ci/run) requires PostgreSQL.\n" + "!" * 78
)


def pytest_configure(config: pytest.Config) -> None:
    """Fail at once in CI when PostgreSQL is missing."""
    if PG_PROBLEM and REQUIRE_PG:
        raise pytest.UsageError(
            f"WORKFORCE_REQUIRE_POSTGRES=1 but PostgreSQL at {PG_HOST}:{PG_PORT} is not "
            f"reachable: {PG_PROBLEM}"
        )


def pytest_report_header(config: pytest.Config) -> str:
    """Name the databases under test at the top of the run."""
    return (
        NO_PG_BANNER if PG_PROBLEM else f"databases: SQLite and PostgreSQL at {PG_HOST}:{PG_PORT}"
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Repeat the warning at the end, where people look."""
    if PG_PROBLEM:
        terminalreporter.write_line(NO_PG_BANNER, red=True, bold=True)


def _worker() -> str:
    """A name unique to this test process, so concurrent runs never share a database."""
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}".lower()


def _postgres_url(name: str) -> str:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def _drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context.

    As in production, each request then gets a fresh ``g`` and its own database session,
    even while the test itself holds an application context. After each request the
    test's own session forgets what it had loaded, so it reads what the request wrote.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Send a request in a fresh application context."""
        from workforce.extensions import db

        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


def make_app(database_url: str, instance: Path, **overrides: Any) -> Flask:
    """An app on ``database_url`` with test settings."""
    from workforce import create_app

    config = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
    }
    config.update(overrides)
    app = create_app(config)
    app.instance_path = str(instance)
    app.test_client_class = IsolatedClient
    _fast_but_unsafe_writes(app)
    return app


def _fast_but_unsafe_writes(app: Flask) -> None:
    """Skip waiting for the disk on commit: tests never need to survive a power cut."""
    from sqlalchemy import event

    from workforce.extensions import db

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA synchronous = OFF")
        else:
            cursor.execute("SET synchronous_commit = off")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()


def database_url_for(backend: str, tmp: Path, label: str) -> str:
    """A fresh, empty database for ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'{label}.sqlite'}"
    return _postgres_url(f"workforce_test_{label}_{_worker()}")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database under test: 'sqlite' or 'postgresql'."""
    return request.param


@pytest.fixture(scope="session")
def app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on a migrated database with the code lists loaded."""
    from flask_migrate import upgrade

    tmp = tmp_path_factory.mktemp(f"app-{backend}")
    url = database_url_for(backend, tmp, "suite")
    app = make_app(url, tmp)
    with app.app_context():
        upgrade()
        builders.load_reference()
    yield app
    with app.app_context():
        from workforce.extensions import db

        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        _drop_postgres(f"workforce_test_suite_{_worker()}")


#: Reference data loaded once per session and kept between tests.
REFERENCE_TABLES = {
    "code_entry",
    "framework",
    "framework_domain",
    "framework_level",
    "framework_pathway",
    "strategic_priority",
    "practice_model",
}


def _shipped_framework_codes() -> str:
    import yaml

    from workforce.services.reference import SEEDS_DIR

    codes = [
        yaml.safe_load(path.read_text())["code"]
        for path in sorted((SEEDS_DIR / "frameworks").glob("*.yaml"))
    ]
    return ", ".join(f"'{code}'" for code in codes)


#: The codes of the frameworks in seeds/frameworks, as an SQL list.
SHIPPED_FRAMEWORKS = _shipped_framework_codes()


def clean_database(app: Flask) -> None:
    """Delete every row except the reference data, so the next test starts empty."""
    from workforce.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [
            t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES
        ]
        # DELETE beats TRUNCATE on the few rows a test leaves behind.
        with db.engine.begin() as conn:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            # Frameworks a test made are removed; the shipped ones stay (tests never change
            # them: they build their own with builders.make_framework).
            added = f"SELECT id FROM framework WHERE code NOT IN ({SHIPPED_FRAMEWORKS})"
            levels = f"SELECT id FROM framework_level WHERE framework_id IN ({added})"
            conn.execute(text(f"DELETE FROM framework_pathway WHERE level_id IN ({levels})"))
            conn.execute(text(f"DELETE FROM framework_level WHERE framework_id IN ({added})"))
            conn.execute(text(f"DELETE FROM framework_domain WHERE framework_id IN ({added})"))
            conn.execute(text(f"DELETE FROM framework WHERE id IN ({added})"))


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context on a clean database."""
    with app.app_context():
        yield app
    clean_database(app)


@pytest.fixture
def db_session(app_ctx: Flask) -> Any:
    """The database session, inside an application context on a clean database."""
    from workforce.extensions import db

    return db.session


@pytest.fixture
def client(app_ctx: Flask) -> FlaskClient:
    """A test client (CSRF off; tests that need it turn it on)."""
    return app_ctx.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Any:
    """Sign ``client`` in as a new user with the given roles; returns the user."""

    def sign_in(*roles: str, staff: Any = None, email: str | None = None) -> Any:
        user = builders.make_user(*roles, staff=staff, email=email)
        response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return user

    return sign_in


#: The day the shared demo authorities are built as of.
DEMO_TODAY = date(2026, 6, 15)
#: The session fixture of each shared demo build, and the seed it builds.
SHARED_DEMOS = {"_demo_authority": 11, "_demo_authority_seed5": 5}


@dataclass(frozen=True)
class BuiltDemo:
    """A demo authority built once per backend and test process, and how it was built."""

    app: Flask
    seed: int
    today: date
    summary: str


def _refuse_writes(app: Flask) -> None:
    """Make every later connection of ``app`` read-only, so a test that writes fails.

    The database itself refuses: ``PRAGMA query_only`` on SQLite, and read-only
    transactions by default on PostgreSQL. Connections opened before are closed.
    """
    from sqlalchemy import event

    from workforce.extensions import db

    with app.app_context():
        db.session.remove()
        engine = db.engine
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET default_transaction_read_only = on")
        cursor.close()
        if engine.dialect.name != "sqlite":
            dbapi_connection.commit()


def build_demo_database(app: Flask, seed: int) -> str:
    """Build the demo for ``seed`` on ``DEMO_TODAY`` into ``app``'s new, empty database.

    The database is migrated, given the reference data and cleaned as every test's is,
    so the demo is built on what a test using ``app_ctx`` starts from. Returns the build's
    one-line summary.
    """
    from flask_migrate import upgrade

    from workforce.demo import build_demo
    from workforce.extensions import db

    with app.app_context():
        upgrade()
        builders.load_reference()
    clean_database(app)  # exactly what app_ctx leaves for the next test
    with app.app_context():
        summary = build_demo(seed, today=DEMO_TODAY)
        db.session.commit()
    return summary


def _shared_demo(
    backend: str, tmp_path_factory: pytest.TempPathFactory, seed: int
) -> Iterator[BuiltDemo]:
    """The demo authority for ``seed`` on ``DEMO_TODAY``, on a database of its own.

    Built on the clean database every test starts from (reference data only), then made
    read-only: the tests that share it may only read it. Dropped when its backend's tests
    are done.
    """
    from workforce.extensions import db

    label = f"demo{seed}"
    tmp = tmp_path_factory.mktemp(f"{label}-{backend}")
    app = make_app(database_url_for(backend, tmp, label), tmp)
    summary = build_demo_database(app, seed)
    _refuse_writes(app)
    yield BuiltDemo(app=app, seed=seed, today=DEMO_TODAY, summary=summary)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        _drop_postgres(f"workforce_test_{label}_{_worker()}")


@pytest.fixture(scope="session")
def _demo_authority(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltDemo]:
    """The seed-11 demo authority, built once per backend in each test process."""
    yield from _shared_demo(backend, tmp_path_factory, SHARED_DEMOS["_demo_authority"])


@pytest.fixture(scope="session")
def _demo_authority_seed5(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltDemo]:
    """The seed-5 demo authority, built once per backend in each test process."""
    yield from _shared_demo(backend, tmp_path_factory, SHARED_DEMOS["_demo_authority_seed5"])


@pytest.fixture
def demo_authority(_demo_authority: BuiltDemo) -> Iterator[BuiltDemo]:
    """An application context on the shared, read-only seed-11 demo authority."""
    with _demo_authority.app.app_context():
        yield _demo_authority


@pytest.fixture
def demo_authority_seed5(_demo_authority_seed5: BuiltDemo) -> Iterator[BuiltDemo]:
    """An application context on the shared, read-only seed-5 demo authority."""
    with _demo_authority_seed5.app.app_context():
        yield _demo_authority_seed5


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Send the tests that share a demo build on one backend to one xdist worker.

    With ``--dist loadgroup`` (pyproject.toml) each shared demo is then built once per
    backend in a run, not once per worker. Runs before xdist reads the marks.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        used = set(getattr(item, "fixturenames", ())) & SHARED_DEMOS.keys()
        for fixture in sorted(used):
            backend = item.callspec.params["backend"]  # type: ignore[attr-defined]
            item.add_marker(pytest.mark.xdist_group(f"demo-seed{SHARED_DEMOS[fixture]}-{backend}"))


@pytest.fixture(autouse=True)
def _no_resource_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        yield
