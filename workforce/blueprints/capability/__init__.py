"""Capability frameworks, role profiles, assessments and gaps.

``frameworks`` holds the framework pages (read by everyone, changed by admins) and their
YAML/CSV import and export; ``profiles`` the role profiles; ``assessments`` the
assessments of a person and their development actions; ``gaps`` a person's and a team's
gaps against expectation.
"""

from flask import Blueprint

bp = Blueprint("capability", __name__, url_prefix="/capability")

from workforce.blueprints.capability import (  # noqa: E402,F401
    assessments,
    frameworks,
    gaps,
    profiles,
)
