"""The learning and development programme: catalogue, sessions and registers,
evaluations, and each person's training record and CPD log."""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")

from workforce.blueprints.training import (  # noqa: E402,F401
    catalogue,
    evaluations,
    records,
    sessions,
)
