"""The performance home page: every measure with its latest actual, target, RAG and
direction of travel (search, filters, sort and pages); and the scorecards and evaluation
models, linking to their reports."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from workforce.blueprints.performance import bp
from workforce.blueprints.performance.common import JUDGEMENT_WORDS, judge, outline
from workforce.extensions import db
from workforce.metrics.periods import FREQUENCIES
from workforce.models.performance import (
    OWNER_ROLES,
    RBA_QUESTIONS,
    SOURCES,
    Scorecard,
    ScorecardMeasure,
    Strategy,
)
from workforce.pagination import paginate
from workforce.security import roles_required
from workforce.services import performance as service
from workforce.services.measures import MeasureReader


@bp.context_processor
def judgement_words() -> dict[str, object]:
    """RAG and direction symbols and words, and figure formatting, on every page here."""
    return dict(JUDGEMENT_WORDS)


def _filters() -> service.MeasureFilters:
    args = request.args
    state = args.get("state", "active")
    return service.MeasureFilters(
        q=args.get("q", "").strip()[:100],
        source=args.get("source") if args.get("source") in SOURCES else None,
        owner=args.get("owner") if args.get("owner") in OWNER_ROLES else None,
        question=args.get("question") if args.get("question") in RBA_QUESTIONS else None,
        state=state if state in service.MEASURE_STATES else "active",
        sort=args.get("sort") if args.get("sort") in service.MEASURE_SORTS else "question",
        descending=args.get("order") == "desc",
    )


@bp.route("/")
@roles_required(*service.READERS)
def index() -> str:
    """The measures, each judged for its latest period."""
    filters = _filters()
    page = paginate(
        service.measure_query(filters),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    reader = MeasureReader()
    today = date.today()
    # Entered measures are judged from their figures; computed ones are only outlined
    # (period and target): their figures are worked out from the app's records on their
    # own page and on scorecards, not for every measure of every view of this list.
    judged = [
        outline(reader, measure, today) if measure.computed else judge(reader, measure, today)
        for (measure,) in page.rows
    ]
    return render_template(
        "performance/index.html",
        page=page,
        judged=judged,
        filters=filters,
        filtered=bool(filters.q or filters.source or filters.owner or filters.question)
        or filters.state != "active",
        questions=RBA_QUESTIONS,
        sources=SOURCES,
        owners=OWNER_ROLES,
        frequencies=FREQUENCIES,
        states=service.MEASURE_STATES,
        can_create=service.can_create(current_user),
        scorecard_count=db.session.scalar(select(func.count()).select_from(Scorecard)) or 0,
        strategy_count=db.session.scalar(select(func.count()).select_from(Strategy)) or 0,
    )


@bp.route("/scorecards")
@roles_required(*service.READERS)
def scorecards() -> str:
    """The scorecards and the strategies' evaluation models, each linking to its report."""
    counts = dict(
        db.session.execute(
            select(ScorecardMeasure.scorecard_id, func.count()).group_by(
                ScorecardMeasure.scorecard_id
            )
        ).all()
    )
    return render_template(
        "performance/scorecards.html",
        scorecards=db.session.scalars(select(Scorecard).order_by(Scorecard.name)).all(),
        measure_counts=counts,
        strategies=db.session.scalars(select(Strategy).order_by(Strategy.name)).all(),
    )
