"""Error pages in the service's own design."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workforce.extensions import db

MESSAGES = {
    400: (
        "There is a problem with your request",
        "The request could not be understood. Go back and try again.",
    ),
    403: (
        "You do not have permission to see this page",
        "Your account does not have access to this page. If you think it should, ask your administrator.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.",
    ),
    405: ("That action is not allowed here", "Go back and try again."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    429: ("Too many requests", "Wait a minute and try again."),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you entered has been saved.",
    ),
}


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """Render the error page for ``code``."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", title=title, message=detail or message, code=code
    ), code


def register(app: Flask) -> None:
    """Attach handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            "Your form expired or was sent from elsewhere. Go back, reload the page and try again.",
        )

    @app.errorhandler(429)
    def too_many_requests(error: HTTPException) -> tuple[str, int]:
        if request.endpoint == "auth.login":
            from workforce.blueprints.auth.forms import LoginForm

            return render_template("auth/login.html", form=LoginForm(), rate_limited=True), 429
        return render_error(429)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_error(500)
