"""Sign-in, sign-out and change-password views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from workforce.audit import record_event, set_actor
from workforce.blueprints.auth import bp
from workforce.blueprints.auth.forms import ChangePasswordForm, LoginForm
from workforce.extensions import db, limiter
from workforce.services import ServiceError
from workforce.services.accounts import authenticate, normalise_email, set_password


def _safe_next(target: str | None) -> str:
    """Follow ``next`` only to a path on this site."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("main.home")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_email() -> str:
    return normalise_email(request.form.get("email", "")) or "(none)"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_submitted_email)
def login() -> str | Response:
    """Sign in with email address and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            set_actor(None, normalise_email(form.email.data))
            record_event("sign_in_failed", "User", "Sign-in refused")
            db.session.commit()
            form.email.errors.append("Enter a correct email address and password")
        else:
            login_user(user)
            set_actor(user.id, user.email)
            record_event("sign_in", "User", "Signed in", entity_id=str(user.id))
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    """Sign out (a POST, so a link elsewhere cannot sign anyone out)."""
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response:
    """Change your own password; other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("Your current password is not correct")
        else:
            try:
                set_password(current_user, form.password.data)
            except ServiceError as error:
                form.password.errors.append(error.message)
            else:
                db.session.commit()
                login_user(current_user._get_current_object())
                flash("Your password has been changed.", "success")
                return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
