"""Accounts and the audit trail, for administrators."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from workforce.blueprints.admin import routes  # noqa: E402,F401
