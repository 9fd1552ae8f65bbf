"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from tests.conftest import _drop_postgres, _worker, database_url_for, make_app
from workforce.extensions import db


def test_one_head(app):
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"Alembic has {len(heads)} heads: {heads}"


def test_autogenerate_finds_no_difference(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_base_and_up_again(backend, tmp_path):
    url = database_url_for(backend, tmp_path, "roundtrip")
    app = make_app(url, tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "employment_spell" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()
    if backend == "postgresql":
        _drop_postgres(f"workforce_test_roundtrip_{_worker()}")
