"""Training views: sessions."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from workforce.blueprints.training import bp


@bp.route("/")
@login_required
def index() -> str:
    """Upcoming sessions."""
    return render_template("training/index.html")
