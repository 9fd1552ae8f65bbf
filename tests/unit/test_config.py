"""Settings come from the environment; production refuses to start without a secret."""

from pathlib import Path

import pytest

from workforce.config import ConfigError, load_config, normalise_database_url


def test_production_requires_secret_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, {"WORKFORCE_ENV": "production"})


def test_default_environment_is_production(tmp_path: Path):
    with pytest.raises(ConfigError):
        load_config(tmp_path, {})


def test_production_cookies_are_secure(tmp_path: Path):
    config = load_config(tmp_path, {"SECRET_KEY": "x" * 32})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_development_keeps_a_generated_secret(tmp_path: Path):
    first = load_config(tmp_path, {"WORKFORCE_ENV": "development"})["SECRET_KEY"]
    second = load_config(tmp_path, {"WORKFORCE_ENV": "development"})["SECRET_KEY"]
    assert first == second and len(first) == 64


def test_database_defaults_to_sqlite_in_instance(tmp_path: Path):
    config = load_config(tmp_path, {"WORKFORCE_ENV": "development"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'workforce.sqlite'}"


def test_postgres_urls_use_psycopg():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_unknown_environment_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="WORKFORCE_ENV"):
        load_config(tmp_path, {"WORKFORCE_ENV": "staging"})


def test_postgresql_connections_switch_the_jit_compiler_off_and_sort_in_memory():
    from workforce import engine_options

    url = "postgresql+psycopg://postgres@127.0.0.1:5432/workforce"
    assert engine_options(url, {"pool_pre_ping": True}) == {
        "pool_pre_ping": True,
        "connect_args": {"options": "-c work_mem=32MB -c jit=off"},
    }
    kept = engine_options(
        url, {"connect_args": {"options": "-c work_mem=64MB", "connect_timeout": 5}}
    )
    assert kept["connect_args"] == {"options": "-c work_mem=64MB -c jit=off", "connect_timeout": 5}
    assert engine_options("sqlite:///instance/workforce.sqlite", {"pool_pre_ping": True}) == {
        "pool_pre_ping": True
    }
