"""Report pages and their CSV, XLSX and JSON exports at the same address."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from workforce.blueprints.reports import routes  # noqa: E402,F401
