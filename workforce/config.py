"""Settings read from environment variables.

``WORKFORCE_ENV`` chooses the profile: ``production`` (the default), ``development``
or ``testing``. Outside development ``SECRET_KEY`` must be set.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("production", "development", "testing")


class ConfigError(RuntimeError):
    """A required setting is missing or invalid."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret(instance_path: Path) -> str:
    """Return a random key kept in the instance folder so sessions survive restarts."""
    path = instance_path / "dev-secret-key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for ``postgres://`` and ``postgresql://`` addresses."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: Path, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask configuration from the environment."""
    env = dict(os.environ if environ is None else environ)
    profile = env.get("WORKFORCE_ENV", "production").strip().lower()
    if profile not in ENVIRONMENTS:
        raise ConfigError(
            f"WORKFORCE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {profile!r}"
        )
    development = profile == "development"
    testing = profile == "testing"

    secret_key = env.get("SECRET_KEY", "")
    if not secret_key:
        if development:
            secret_key = _development_secret(instance_path)
        elif testing:
            secret_key = "testing-only-secret-key"  # noqa: S105
        else:
            raise ConfigError(
                "SECRET_KEY must be set outside development "
                "(for example: export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'))"
            )

    default_db = f"sqlite:///{instance_path / 'workforce.sqlite'}"
    database_url = normalise_database_url(env.get("DATABASE_URL", "") or default_db)
    secure_cookies = _bool(env.get("SESSION_COOKIE_SECURE"), default=not (development or testing))

    return {
        "WORKFORCE_ENV": profile,
        "TESTING": testing,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": int(env.get("SESSION_LIFETIME_SECONDS", 8 * 3600)),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Werkzeug's scrypt (n=2**15, r=8, p=1) unless set; tests use a cheaper scrypt.
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        "AUTHORITY_NAME": env.get("AUTHORITY_NAME", "Children's Services"),
        # The authority's three-digit DfE local authority code, for the census return.
        "CENSUS_LA_CODE": env.get("CENSUS_LA_CODE") or None,
        "PAGE_SIZE": int(env.get("PAGE_SIZE", 25)),
        # Days ahead of expiry that mandatory training shows as "expiring" (reports, home page).
        "TRAINING_EXPIRY_WARNING_DAYS": int(env.get("TRAINING_EXPIRY_WARNING_DAYS", 60)),
    }
