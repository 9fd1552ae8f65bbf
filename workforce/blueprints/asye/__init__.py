"""The ASYE: enrolments and the year's record (``enrolments``) and the programme's
definition (``programmes``)."""

from flask import Blueprint

bp = Blueprint("asye", __name__, url_prefix="/asye")

from workforce.blueprints.asye import enrolments, programmes  # noqa: E402,F401
