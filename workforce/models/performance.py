"""Performance measures, scorecards and impact evaluation models.

A measure (``Measure``) answers one results-based accountability question (how much did we
do, how well did we do it, is anyone better off). Its figures are either **computed** from
the app's own data by a named calculation (``workforce.services.measure_calculations``),
for any period and never typed, or **entered** per period, typed or uploaded. Either kind
keeps targets per period (a target may span several periods, such as a plan's three
years), a baseline, benchmark values (England, region, statistical neighbours), commentary
per period (the story behind the curve) and the turn-the-curve plan: partners, what works
and actions with owners and dates.

A scorecard groups measures as a plan or a strategy publishes them. A strategy has an
evaluation model of four stages (inputs, outputs, intermediate and long-term outcomes);
each stage lists its activities and its sources of evidence, and a source of evidence may
be linked to the measures that evidence it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workforce.extensions import db
from workforce.metrics.judgements import POLARITIES
from workforce.metrics.periods import FREQUENCIES
from workforce.models._base import Audited, Timestamped
from workforce.models.accounts import User

#: Units a measure may be counted in, with the label shown to people.
UNITS: dict[str, str] = {
    "count": "Count",
    "percent": "Percentage",
    "rate_10k": "Rate per 10,000",
    "days": "Days",
    "weeks": "Weeks",
    "number": "Number (an average or a ratio)",
}
#: The results-based accountability questions.
RBA_QUESTIONS: dict[str, str] = {
    "how_much": "How much did we do?",
    "how_well": "How well did we do it?",
    "better_off": "Is anyone better off?",
}
#: Where a measure's figures come from.
SOURCES: dict[str, str] = {
    "computed": "Computed from the app's own data",
    "entered": "Entered or uploaded",
}
#: The roles that own (enter values and commentary for) measures.
OWNER_ROLES: dict[str, str] = {
    "hr": "HR and workforce planning",
    "ld_officer": "Learning and development",
    "admin": "Administrators",
}
#: Kinds of figure kept per period.
FIGURE_KINDS: dict[str, str] = {"actual": "Actual", "target": "Target"}
#: Comparators a benchmark may be.
COMPARATORS: dict[str, str] = {
    "england": "England average",
    "region": "Regional average",
    "statistical_neighbours": "Statistical neighbours",
}
#: The four stages of an impact evaluation model, in order.
STAGE_KINDS: dict[str, str] = {
    "inputs": "Inputs",
    "outputs": "Outputs",
    "intermediate_outcomes": "Intermediate outcomes",
    "long_term_outcomes": "Long-term outcomes",
}
#: States of a turn-the-curve action.
ACTION_STATES: dict[str, str] = {"open": "Open", "done": "Done"}
FIGURE = Numeric(14, 4)


def _in(column: str, values: dict[str, str]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Measure(Audited, Timestamped, db.Model):
    """A performance measure."""

    __tablename__ = "measure"
    __table_args__ = (
        CheckConstraint(_in("unit", UNITS), name="measure_unit_known"),
        CheckConstraint(_in("polarity", POLARITIES), name="measure_polarity_known"),
        CheckConstraint(_in("frequency", FREQUENCIES), name="measure_frequency_known"),
        CheckConstraint(_in("rba_question", RBA_QUESTIONS), name="measure_question_known"),
        CheckConstraint(_in("source", SOURCES), name="measure_source_known"),
        CheckConstraint(_in("owner_role", OWNER_ROLES), name="measure_owner_known"),
        CheckConstraint("tolerance >= 0", name="measure_tolerance_not_negative"),
        CheckConstraint(
            "(source = 'computed') = (calculation IS NOT NULL)",
            name="measure_calculation_when_computed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A short unique name used in files and addresses (``sw-turnover``).
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20))
    polarity: Mapped[str] = mapped_column(String(10))
    frequency: Mapped[str] = mapped_column(String(20))
    rba_question: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10))
    #: The named calculation of a computed measure, and its argument (say, which practice
    #: model) when the calculation takes one.
    calculation: Mapped[str | None] = mapped_column(String(60))
    calculation_argument: Mapped[str | None] = mapped_column(String(200))
    #: Who enters values and commentary (admins always may).
    owner_role: Mapped[str] = mapped_column(String(20), default="hr")
    #: RAG tolerance: amber when missing the target by no more than this % of it.
    tolerance: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("5"))
    #: Decimal places shown.
    decimals: Mapped[int] = mapped_column(Integer, default=1)
    #: The baseline: a period (its figure is the measure's actual for that period, or for
    #: an entered measure without one, ``baseline_value``) and a note ("-", "May 2015").
    baseline_start: Mapped[date | None] = mapped_column(Date)
    baseline_value: Mapped[Decimal | None] = mapped_column(FIGURE)
    baseline_note: Mapped[str | None] = mapped_column(String(200))
    #: Turn the curve: the story behind the curve, partners with a role to play, and what
    #: works (what the evidence says would turn it).
    story: Mapped[str] = mapped_column(Text, default="")
    partners: Mapped[str] = mapped_column(Text, default="")
    what_works: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    figures: Mapped[list[MeasureFigure]] = relationship(
        back_populates="measure",
        cascade="all, delete-orphan",
        # Actual before target for the same period: a stable order everywhere.
        order_by="(MeasureFigure.start, MeasureFigure.kind)",
    )
    benchmarks: Mapped[list[MeasureBenchmark]] = relationship(
        back_populates="measure", cascade="all, delete-orphan"
    )
    commentary: Mapped[list[MeasureCommentary]] = relationship(
        back_populates="measure",
        cascade="all, delete-orphan",
        order_by="MeasureCommentary.created_at.desc()",
    )
    actions: Mapped[list[MeasureAction]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureAction.due_on"
    )

    @property
    def computed(self) -> bool:
        return self.source == "computed"

    def __repr__(self) -> str:
        return f"<Measure {self.code}>"


class MeasureFigure(Audited, Timestamped, db.Model):
    """An entered actual or a target for a run of whole periods of the measure's frequency.

    An actual covers exactly one period. A target may cover several (a plan's "3% or below
    from April 2021 to March 2023"). ``value`` is empty where the source publishes no
    figure; ``note`` then says what it publishes ("N.A.", "-"), and otherwise qualifies the
    figure ("12 / 285").
    """

    __tablename__ = "measure_figure"
    __table_args__ = (
        UniqueConstraint("measure_id", "kind", "start"),
        CheckConstraint(_in("kind", FIGURE_KINDS), name="measure_figure_kind_known"),
        CheckConstraint("end_on >= start", name="measure_figure_ends_after_start"),
        CheckConstraint(
            "value IS NOT NULL OR note IS NOT NULL", name="measure_figure_value_or_note"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    start: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(FIGURE)
    note: Mapped[str | None] = mapped_column(String(200))
    #: "entered", "upload" or "seed".
    origin: Mapped[str] = mapped_column(String(10), default="entered")

    measure: Mapped[Measure] = relationship(back_populates="figures")

    def __repr__(self) -> str:
        return f"<MeasureFigure {self.kind} of measure {self.measure_id} from {self.start}>"


class MeasureBenchmark(Audited, Timestamped, db.Model):
    """A comparator's figure for a measure (the England average, say), for a period or,
    where the source does not say which, for none."""

    __tablename__ = "measure_benchmark"
    __table_args__ = (
        UniqueConstraint("measure_id", "comparator", "start"),
        CheckConstraint(_in("comparator", COMPARATORS), name="measure_benchmark_comparator_known"),
        CheckConstraint(
            "value IS NOT NULL OR note IS NOT NULL", name="measure_benchmark_value_or_note"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    comparator: Mapped[str] = mapped_column(String(30))
    start: Mapped[date | None] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(FIGURE)
    note: Mapped[str | None] = mapped_column(String(200))

    measure: Mapped[Measure] = relationship(back_populates="benchmarks")

    def __repr__(self) -> str:
        return f"<MeasureBenchmark {self.comparator} of measure {self.measure_id}>"


class MeasureCommentary(Audited, Timestamped, db.Model):
    """Commentary on a measure (the story behind the curve), for a period or in general."""

    __tablename__ = "measure_commentary"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[date | None] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    measure: Mapped[Measure] = relationship(back_populates="commentary")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MeasureCommentary on measure {self.measure_id}>"


class MeasureAction(Audited, Timestamped, db.Model):
    """An action in a measure's turn-the-curve plan."""

    __tablename__ = "measure_action"
    __table_args__ = (
        CheckConstraint(_in("status", ACTION_STATES), name="measure_action_status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    done_on: Mapped[date | None] = mapped_column(Date)

    measure: Mapped[Measure] = relationship(back_populates="actions")

    def __repr__(self) -> str:
        return f"<MeasureAction {self.id} of measure {self.measure_id}>"


class Scorecard(Audited, Timestamped, db.Model):
    """A group of measures as a plan or strategy publishes them."""

    __tablename__ = "scorecard"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Where its measures and figures come from (a document, a plan).
    source: Mapped[str] = mapped_column(Text, default="")
    #: How many periods of actuals the table shows (the latest ones).
    history: Mapped[int] = mapped_column(Integer, default=3)

    entries: Mapped[list[ScorecardMeasure]] = relationship(
        back_populates="scorecard",
        cascade="all, delete-orphan",
        order_by="ScorecardMeasure.position",
    )

    def __repr__(self) -> str:
        return f"<Scorecard {self.code}>"


class ScorecardMeasure(Audited, db.Model):
    """A measure on a scorecard, in its place, under the label the scorecard gives it."""

    __tablename__ = "scorecard_measure"
    __table_args__ = (UniqueConstraint("scorecard_id", "measure_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard.id", ondelete="CASCADE"), index=True
    )
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The measure's name as the scorecard prints it ("2. % staff turnover ..."); empty
    #: means the measure's own name.
    label: Mapped[str] = mapped_column(String(400), default="")
    #: The direction of travel as the source published it, where it did ("improving"),
    #: shown where the app has too few figures to work it out.
    published_direction: Mapped[str | None] = mapped_column(String(20))

    scorecard: Mapped[Scorecard] = relationship(back_populates="entries")
    measure: Mapped[Measure] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ScorecardMeasure {self.measure_id} on scorecard {self.scorecard_id}>"


class Strategy(Audited, Timestamped, db.Model):
    """A workforce strategy whose impact is evaluated."""

    __tablename__ = "strategy"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    #: The council or partnership it belongs to.
    authority: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: The evaluation model's title as the strategy prints it.
    model_title: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")

    stages: Mapped[list[EvaluationStage]] = relationship(
        back_populates="strategy", cascade="all, delete-orphan", order_by="EvaluationStage.position"
    )

    def __repr__(self) -> str:
        return f"<Strategy {self.code}>"


evidence_measure = Table(
    "evidence_measure",
    db.metadata,
    Column(
        "evidence_id", ForeignKey("evaluation_evidence.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("measure_id", ForeignKey("measure.id", ondelete="RESTRICT"), primary_key=True),
)


class EvaluationStage(Audited, db.Model):
    """One stage of an evaluation model: inputs, outputs, intermediate or long-term
    outcomes."""

    __tablename__ = "evaluation_stage"
    __table_args__ = (
        UniqueConstraint("strategy_id", "kind"),
        CheckConstraint(_in("kind", STAGE_KINDS), name="evaluation_stage_kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategy.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: The question the strategy asks of the stage ("WHAT DID WE DO?").
    question: Mapped[str] = mapped_column(String(200), default="")
    #: The stage's name and description as printed ("Input", "Activities associated ...").
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    strategy: Mapped[Strategy] = relationship(back_populates="stages")
    activities: Mapped[list[EvaluationActivity]] = relationship(
        back_populates="stage", cascade="all, delete-orphan", order_by="EvaluationActivity.position"
    )
    evidence: Mapped[list[EvaluationEvidence]] = relationship(
        back_populates="stage", cascade="all, delete-orphan", order_by="EvaluationEvidence.position"
    )

    def __repr__(self) -> str:
        return f"<EvaluationStage {self.kind} of strategy {self.strategy_id}>"


class EvaluationActivity(Audited, db.Model):
    """What was done at a stage (one line of the model's middle column)."""

    __tablename__ = "evaluation_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_stage.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)

    stage: Mapped[EvaluationStage] = relationship(back_populates="activities")

    def __repr__(self) -> str:
        return f"<EvaluationActivity {self.id} of stage {self.stage_id}>"


class EvaluationEvidence(Audited, db.Model):
    """A source of evidence for a stage, linked to the measures that evidence it."""

    __tablename__ = "evaluation_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_stage.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)

    stage: Mapped[EvaluationStage] = relationship(back_populates="evidence")
    measures: Mapped[list[Measure]] = relationship(
        secondary=evidence_measure, order_by="Measure.name"
    )

    def __repr__(self) -> str:
        return f"<EvaluationEvidence {self.id} of stage {self.stage_id}>"
