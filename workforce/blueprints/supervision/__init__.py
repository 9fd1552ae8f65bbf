"""Supervision: recording sessions and acknowledging them (``sessions``), each person's and
each team's compliance (``overview``), the policies (``policies``) and quality audits of
records (``audits``)."""

from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

from workforce.blueprints.supervision import (  # noqa: E402,F401
    audits,
    overview,
    policies,
    sessions,
)
