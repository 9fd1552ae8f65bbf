"""Signing in and out, passwords, rate limiting, CSRF and security headers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import builders
from tests.conftest import make_app
from workforce.extensions import db, limiter
from workforce.models import AuditEvent, User


def test_login_page_has_labelled_fields_and_button(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<label[^>]*for="email"[^>]*>\s*Email address\s*</label>', page)
    assert re.search(r'<label[^>]*for="password"[^>]*>\s*Password\s*</label>', page)
    assert re.search(r"<button[^>]*>\s*Sign in\s*</button>", page)


def test_sign_in_with_correct_password(client):
    user = builders.make_user("hr")
    response = client.post(
        "/login", data={"email": user.email.upper(), "password": builders.PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in"))
    assert event is not None and event.actor_label == user.email


def test_wrong_password_gives_a_clear_message_and_keeps_email(client):
    user = builders.make_user("hr")
    response = client.post("/login", data={"email": user.email, "password": "wrong password here"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter a correct email address and password" in page
    assert f'value="{user.email}"' in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_failed"))


def test_empty_sign_in_form_names_both_fields(client):
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page


def test_deactivated_account_cannot_sign_in(client):
    user = builders.make_user("hr")
    user.is_active_account = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_sign_in_refuses_off_site_next(client, target):
    user = builders.make_user("hr")
    response = client.post(
        f"/login?next={target}", data={"email": user.email, "password": builders.PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_sign_in_follows_local_next(client):
    user = builders.make_user("hr")
    response = client.post(
        "/login?next=/staff", data={"email": user.email, "password": builders.PASSWORD}
    )
    assert response.headers["Location"] == "/staff"


def test_sign_out_is_a_post_and_ends_the_session(client, login):
    login("hr")
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_password_is_hashed_with_scrypt(db_session):
    user = builders.make_user("hr")
    assert user.password_hash.startswith("scrypt:")
    assert builders.PASSWORD not in user.password_hash


def test_change_password(client, login):
    user = login("practitioner")
    page = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    ).get_data(as_text=True)
    assert "Your current password is not correct" in page
    page = client.post(
        "/account/password",
        data={
            "current_password": builders.PASSWORD,
            "password": "short",
            "confirm": "short",
        },
    ).get_data(as_text=True)
    assert "Password must be 12 characters or more" in page
    page = client.post(
        "/account/password",
        data={
            "current_password": builders.PASSWORD,
            "password": "a brand new password",
            "confirm": "different",
        },
    ).get_data(as_text=True)
    assert "The passwords do not match" in page
    response = client.post(
        "/account/password",
        data={
            "current_password": builders.PASSWORD,
            "password": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200, (
        "the session that changed the password stays signed in"
    )
    other = db.session.get(User, user.id)
    assert other.session_version == 2


def test_password_change_ends_other_sessions(app_ctx):
    user = builders.make_user("hr")
    first, second = app_ctx.test_client(), app_ctx.test_client()
    for c in (first, second):
        c.post("/login", data={"email": user.email, "password": builders.PASSWORD})
    first.post(
        "/account/password",
        data={
            "current_password": builders.PASSWORD,
            "password": "another long password",
            "confirm": "another long password",
        },
    )
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_csrf_token_is_required(app_ctx):
    user = builders.make_user("hr")
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app_ctx.test_client()
        response = client.post("/login", data={"email": user.email, "password": builders.PASSWORD})
        assert response.status_code == 400
        assert "form expired" in response.get_data(as_text=True)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(
            "/login", data={"email": user.email, "password": builders.PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True), "no inline script"


def test_session_cookie_flags(app_ctx):
    app_ctx.config["SESSION_COOKIE_SECURE"] = True
    try:
        user = builders.make_user("hr")
        client = app_ctx.test_client()
        response = client.post(
            "/login",
            data={"email": user.email, "password": builders.PASSWORD},
            base_url="https://localhost",
        )
        cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        app_ctx.config["SESSION_COOKIE_SECURE"] = False


def test_sign_in_attempts_are_rate_limited(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'limits.sqlite'}",
        tmp_path,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            client = app.test_client()
            for _ in range(3):
                assert (
                    client.post(
                        "/login", data={"email": "a@example.org", "password": "x" * 12}
                    ).status_code
                    == 200
                )
            response = client.post("/login", data={"email": "a@example.org", "password": "x" * 12})
            assert response.status_code == 429
            page = response.get_data(as_text=True)
            assert "Too many sign-in attempts. Wait a minute, then try again." in page
            assert 'value="a@example.org"' in page
            db.engine.dispose()
    finally:
        limiter.reset()
        limiter.enabled = False


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_rate_limits_can_be_shared_between_workers_through_redis(tmp_path):
    import uuid

    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "LOGIN_RATE_LIMIT": "2 per minute",
    }
    app = make_app(f"sqlite:///{tmp_path / 'redis.sqlite'}", tmp_path, **settings)
    email = f"{uuid.uuid4().hex}@example.org"
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            client = app.test_client()
            codes = [
                client.post("/login", data={"email": email, "password": "x" * 12}).status_code
                for _ in range(3)
            ]
            assert codes == [200, 200, 429]
            db.engine.dispose()
    finally:
        limiter.reset()
        limiter.enabled = False
