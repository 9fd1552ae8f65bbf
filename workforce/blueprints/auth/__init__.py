"""Sign in, sign out and change password."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from workforce.blueprints.auth import routes  # noqa: E402,F401
