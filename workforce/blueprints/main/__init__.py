"""Home page and error pages."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from workforce.blueprints.main import routes  # noqa: E402,F401
