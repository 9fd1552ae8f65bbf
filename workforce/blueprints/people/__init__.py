"""Staff, employment spells, teams and the staff import."""

from flask import Blueprint

bp = Blueprint("people", __name__)

from workforce.blueprints.people import import_routes, routes, team_routes  # noqa: E402,F401
