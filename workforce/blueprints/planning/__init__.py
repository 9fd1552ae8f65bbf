"""Workforce planning for HR: caseloads and the weighting scheme (``caseloads``), each
team's establishment and absence (``establishment``), and the DfE children's social work
workforce census (``census``); ``overview`` is the section's home page."""

from flask import Blueprint

bp = Blueprint("planning", __name__, url_prefix="/planning")

from workforce.blueprints.planning import (  # noqa: E402,F401
    caseloads,
    census,
    establishment,
    overview,
)
