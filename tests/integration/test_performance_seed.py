"""The shipped performance seeds, compared cell by cell with the seed documents.

The expected tables and the evaluation model's text below are transcribed by hand from the
documents (seed 000 Part 3, seed 001 "What will success look like?", seed 002 "Performance
Framework", seed 004 "Appendix Two"), independently of the YAML files, as the documents
print them; the tests read what was loaded back through ``MeasureReader``, as a scorecard
shows it.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.metrics.periods import parse_period
from workforce.models import AuditEvent
from workforce.models.performance import (
    EvaluationEvidence,
    Measure,
    MeasureBenchmark,
    MeasureFigure,
    Scorecard,
    ScorecardMeasure,
    Strategy,
)
from workforce.services.measures import MeasureReader
from workforce.services.performance_seed import (
    PERFORMANCE_DIR,
    PerformanceSeedError,
    load_performance_seeds,
    read_seeds,
)

# --- seed 002: Northumberland, "Performance Framework" ----------------------------------------
# Measure | Eng Av | Outturn 2016/17, 2017/18, 18/19 | Target 2019/20, 2020/21, 2021/22.
# Row 13 is printed over two lines, its Eng Av as "_" then "LPI": read as "- LPI".
NORTHUMBERLAND = [
    ("% social workers where caseload weighting is within the desired points level",
     "- LPI", "n/a", "69", "61.3", "80", "85", "85"),
    ("2. % staff turnover within the social work workforce",
     "13.6", "8.4", "14.8", "13.9", "13.7", "13.5", "13.3"),
    ("3. Rate of children and young people subject to child protection plans per 10,000 popn",
     "45", "40", "66", "71", "65", "62", "59"),
    ("4. Rate of Looked After Children (LAC) per 10,000 popn",
     "64", "69", "66", "62.8", "60", "60", "60"),
    ("5. % of looked after children placed in foster care",
     "73", "79", "76", "73", "73", "75", "76"),
    ("6. % of looked after children placed in residential care",
     "- LPI", "10", "10", "14", "13", "12", "10"),
    ("7. Children adopted over past 12 months: average no. of days between a child entering "
     "care and moving in with adoptive family",
     "486*", "597", "533", "459", "520", "490", "465"),
    ("Average duration of care proceedings ending (wks)",
     "29", "32", "34", "37", "34", "30", "26"),
    ("9. % of LAC who have had 3 or more placements in the last 12 months",
     "10", "8", "13", "10", "9", "9", "9"),
    ("10. % Long term LAC in same placement for the past 2 years",
     "70", "67", "70", "68", "71", "72", "72"),
    ("11. Number of school aged LAC who had at least 1 school placement move during the year **",
     "- LPI", "14", "12", "12 / 285", "12", "11", "11"),
    ("12. Rate of proven re-offending",
     "41.4", "37.7", "50", "40.4", "35", "34", "33"),
    ("13. % of Young Offenders engagement in suitable education, employment or training",
     "- LPI", "53", "72", "63.5", "70", "72", "74"),
    ("14. % of 19-21 yr old care leavers who are in touch",
     "88", "96", "94", "95", "95", "95", "95"),
    ("15. % of 19-21 yr old care leavers living in suitable accommodation",
     "84", "91", "91", "93", "95", "95", "95"),
    ("16. % of 19-21 yr old care leavers in education, employment or training",
     "50", "51", "43", "51", "60", "65", "68"),
    ("17. No Of Supported Families attached to the Programme (January 2015 to March 2020)",
     "- LPI", "949", "1465", "2383", "2120", "2120", "N.A."),
    ("18. Supporting Families cases where there has been significant and sustained progress or "
     "continuous employment",
     "- LPI", "289", "274", "1280", "1844", "2120", "N.A."),
    ("19. % of EHFW cases closed because desired outcomes have been met",
     "- LPI", "N.A.", "63", "57", "70", "80", "85"),
    ("20. % of 0-2 yr olds with sustained engagement with their children's centre within the "
     "30% most deprived areas",
     "- LPI", "N.A.", "N.A.", "24", "40", "50", "60"),
]  # fmt: skip
OUTTURN_YEARS = ("2016/17", "2017/18", "18/19")
TARGET_YEARS = ("2019/20", "2020/21", "2021/22")
FOOTNOTE = "* measured over a 3 year period nationally"
#: The app's reading of each row (not printed): unit and which way is better.
NORTHUMBERLAND_READING = [
    ("percent", "higher"), ("percent", "lower"), ("rate_10k", "lower"), ("rate_10k", "lower"),
    ("percent", "higher"), ("percent", "lower"), ("days", "lower"), ("weeks", "lower"),
    ("percent", "lower"), ("percent", "higher"), ("count", "lower"), ("percent", "lower"),
    ("percent", "higher"), ("percent", "higher"), ("percent", "higher"), ("percent", "higher"),
    ("count", "higher"), ("count", "higher"), ("percent", "higher"), ("percent", "higher"),
]  # fmt: skip


def printed(cell: str) -> tuple[Decimal | None, str | None]:
    """What a printed cell means as a figure: (value, note)."""
    if cell in ("n/a", "N.A."):
        return None, cell
    if cell == "- LPI":
        return None, "LPI"
    if cell == "486*":
        return Decimal(486), FOOTNOTE
    if cell == "12 / 285":
        return Decimal(12), "12 / 285"
    return Decimal(cell), None


# --- seed 004: Worcestershire, "Appendix Two: Back to Basic Performance Indicators" ----------
# Indicator | Baseline | Target | March 2016 | Direction of Travel ("1" is an up arrow).
WORCESTERSHIRE = [
    ("Timeliness of Children and Young People's Assessments (completed within 45 working days)",
     "54%", "95%", "71%", "1"),
    ("Timeliness of visits: Children in Need", "33%", "100%", "71%", "1"),
    ("Timeliness of visits: Child Protection (21 working days)", "-", "100%", "97%", "1"),
    ("Timeliness of visits: LAC", "48%", "100%", "89%", "1"),
    ("Timeliness of Section 47 Enquiries", "57%", "97%", "87%", "1"),
    ("Timeliness of Initial Child Protection Conferences", "68%", "95%", "40%", "•"),
    ("Stage One Complaints in timescale", "54%", "100%", "70%", "1"),
]  # fmt: skip
DIRECTIONS = {"1": "improving", "•": "worsening"}

# --- seed 001: Leicestershire, "What will success look like?" --------------------------------
# Bullet | target ("3% or below": the value 3 with the note "or below") | which way is better.
LEICESTERSHIRE = [
    ("NEET will be 3% or below across all young adults aged 16-19", "3", "or below",
     "lower"),
    ("Vulnerable groups of young adults aged 16-19 who are NEET will be 9% or below", "9",
     "or below", "lower"),
    ("The known destinations of all young adults aged 16-18 will be 95% or above", "95",
     "or above", "higher"),
]  # fmt: skip

# --- seed 000 Part 3: North East Lincolnshire's impact evaluation model ----------------------
MODEL = [
    (
        "inputs",
        "WHAT DID WE DO?",
        "Input",
        "Activities associated with project set up and infrastructure",
        [
            "Define professional capabilities required for the children's workforce",
            "Define the training and quality standards required of staff when working with "
            "families, children or young people",
            "Define the continuous professional learning required by staff working with "
            "families, children or young people",
            "Develop good links with universities and other sources of research in social care",
            "Develop training programme in leading practice, supervision and contributing to "
            "service improvement",
            "Develop the workforce strategy and the associated training framework",
            "Work with partners on improving quality of partnership working to improve outcomes",
        ],
        [
            "Professional Capabilities document developed",
            "No. and range of staff communicated with and consulted on Creating Stronger "
            "Communities",
            "Training programmes in place, support materials developed",
            "Children's Workforce Development Strategy",
            "Principles and guidance documents developed",
            "Continuous Professional Learning document received and understood by social "
            "workers and their managers",
            "Meeting and case notes",
        ],
    ),
    (
        "outputs",
        "HOW WELL DID WE DO IT?",
        "Output",
        "Project related activities necessary to achieve outcomes",
        [
            "Appropriate practitioners identified and trained in defined approaches to practice",
            "Regular good quality supervision takes place that involves reflective practice",
            "Promotion and roll out of Creating Stronger Communities approaches to practice",
            "Social work recruitment and retention strategy in place",
            "Team leaders and managers trained in performance management of staff",
            "Successful multi agency approaches to delivering outcomes",
            "Good outcomes for children, young people and families",
            "Clearly defined professional continuous learning journey",
        ],
        [
            "Training statistics",
            "Specific method training delivered to no. of staff",
            "Evaluation of training programmes",
            "No. of performance appraisals against capabilities framework",
            "Statistics on the recruitment and retention of staff",
            # Two items run together in the document, with no bullet between them.
            "Quality of assessments measured by audit (professional judgement and analysis, "
            "assessment of risk) Staff satisfaction and understanding of the requirements of "
            "early help",
        ],
    ),
    (
        "intermediate_outcomes",
        "WHAT DIFFERENCE DID WE MAKE?",
        "Intermediate outcomes",
        "Programme related impacts on children, young people and families and the support service",
        [
            "The workforce meet professional standards when working to meet the needs of "
            "families, children and young people.",
            "Good evidence of effective use of Signs of Safety, models theories",
            "Use of research to inform practice",
            "The workforce demonstrates knowledge of the locality and communities in which "
            "they serve",
            "Referrals to social care are of good quality and are appropriate across the "
            "threshold of needs",
            "Percentage of early help assessments that are NFA or stepped down",
            "Increase in managers' confidence in leading professional development",
            "Improvement in social worker retention",
            "Regular supervision takes place which is supportive and challenging",
            "The workforce are set challenging, achievable objectives",
            "Plans (interventions with families, children or young people) are SMART and on "
            "target and collaborative",
            "Every family, child or young person receive a response from staff that is of "
            "consistent quality and will be flexible enough to meet their individual needs",
            "Feedback received and shared on tools and techniques used by practitioners",
            "Good quality partnership approaches to meeting the needs of families, children "
            "and young people",
            "Quality of engagement with other professionals",
            "Quality delivery of plan for the child or young person",
            "Quality of intervention with families which is measured and evidenced",
        ],
        [
            "Nos. of good quality and appropriate referrals into MASH",
            "Performance appraisals and supervision notes",
            "Percentage of assessments that are stepped down",
            "Percentage of cases that are rated good or above",
            "Evaluation of training programmes judged as good or above",
            "Staff satisfaction and understanding of the requirements of early help",
            "No. of cases rated as good or better by managers' monthly audits",
            "No. of supervisions held per person per year",
            "Audit of supervision notes",
            "Performance appraisal information",
            "Service user feedback",
            "No. and availability of good practice examples",
            "Audit focusing on outcomes and partnership delivery",
            "Reduction in family domestic violence",
            "Reduction in family mental health issues",
            "Reduction in bullying",
            "Reduction in Youth Offending",
            "Improved family and young person participation in education and training",
        ],
    ),
    (
        "long_term_outcomes",
        "WHAT DIFFERENCE DID WE MAKE?",
        "Long term outcomes",
        "",
        [
            "Reduction in rates of looked after children",
            "Reduction in care protection plans",
            "Improvement in social worker retention",
            "Achievement of fiscal savings in support for young people and families",
        ],
        [
            "Service user feedback",
            "Performance measures internal and external",
            "Staff retention rates",
        ],
    ),
]

#: Sources of evidence the app evidences, with the measures linked to them.
LINKED = {
    "Training statistics": {"training-places-delivered"},
    "Specific method training delivered to no. of staff": {
        "staff-trained-signs-of-safety",
        "staff-trained-restorative-practice",
        "staff-trained-outcomes-based-accountability",
        "staff-trained-family-group-conferencing",
    },
    "Evaluation of training programmes": {"training-evaluations-good-or-better"},
    "No. of performance appraisals against capabilities framework": {"capability-appraisals"},
    "Statistics on the recruitment and retention of staff": {"sw-turnover", "sw-stability"},
    "Nos. of good quality and appropriate referrals into MASH": {"mash-referrals-good-quality"},
    "Percentage of assessments that are stepped down": {"early-help-stepped-down"},
    "Percentage of cases that are rated good or above": {"cases-rated-good-by-audit"},
    "No. of cases rated as good or better by managers' monthly audits": {
        "cases-rated-good-by-audit"
    },
    "No. of supervisions held per person per year": {
        "supervisions-per-person",
        "supervision-within-policy",
    },
    "Audit of supervision notes": {"supervision-audits-good-or-better"},
    "Performance measures internal and external": {"lac-rate-per-10k"},
    "Staff retention rates": {"sw-stability", "sw-turnover", "asye-retention"},
}
UNLINKED = {
    "Professional Capabilities document developed",
    "Meeting and case notes",
    "Service user feedback",
    "No. and availability of good practice examples",
    "Audit focusing on outcomes and partnership delivery",
    "Reduction in family domestic violence",
    "Reduction in bullying",
    "Reduction in Youth Offending",
    "Improved family and young person participation in education and training",
}

COMPUTED = {
    "training-places-delivered",
    "staff-trained-signs-of-safety",
    "staff-trained-restorative-practice",
    "staff-trained-outcomes-based-accountability",
    "staff-trained-family-group-conferencing",
    "training-evaluations-good-or-better",
    "capability-appraisals",
    "supervisions-per-person",
    "supervision-within-policy",
    "supervision-audits-good-or-better",
    "asye-completion",
    "asye-retention",
    "sw-turnover",
    "sw-stability",
    "caseload-within-desired",
    "average-caseload",
}
ENTERED = {
    "mash-referrals-good-quality",
    "early-help-stepped-down",
    "lac-rate-per-10k",
    "cases-rated-good-by-audit",
    "staff-understand-early-help",
}


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def scorecard(code: str) -> Scorecard:
    return db.session.scalar(select(Scorecard).where(Scorecard.code == code))


def test_northumberland_matches_the_performance_framework_cell_by_cell(app_ctx):
    builders.load_performance()
    card = scorecard("northumberland-performance-framework")
    assert card.name == "Northumberland performance framework"
    assert card.history == 3
    assert "Children's Social Care Service Statement 2019 - 2021" in card.source
    assert "Performance Framework" in card.source
    assert len(card.entries) == len(NORTHUMBERLAND) == 20
    reader = MeasureReader()
    for number, (entry, row, reading) in enumerate(
        zip(card.entries, NORTHUMBERLAND, NORTHUMBERLAND_READING, strict=True), start=1
    ):
        label, england, *cells = row
        measure = entry.measure
        assert entry.position == number
        assert measure.code == f"northumberland-{number:02d}"
        assert entry.label == label
        assert measure.source == "entered" and measure.calculation is None
        assert (measure.unit, measure.polarity) == reading, label
        assert "the app's reading" in measure.description
        assert measure.frequency == ("academic_year" if number == 11 else "financial_year")
        assert entry.published_direction is None
        # England average: one benchmark, with no period.
        benchmarks = reader.benchmarks(measure)
        assert len(benchmarks) == 1 and benchmarks[0].comparator == "england"
        assert benchmarks[0].period_label is None
        assert (benchmarks[0].value, benchmarks[0].note) == printed(england), label
        # Outturns as actuals, targets one per year.
        for year, cell in zip(OUTTURN_YEARS, cells[:3], strict=True):
            figure = reader.actual(measure, parse_period(measure.frequency, year))
            assert (figure.value, figure.note) == printed(cell), (label, year)
        for year, cell in zip(TARGET_YEARS, cells[3:], strict=True):
            period = parse_period(measure.frequency, year)
            target, later = reader.target_for(measure, period)
            assert not later and (target.start, target.end_on) == (period.start, period.end)
            assert (target.value, target.note) == printed(cell), (label, year)
        assert {f.origin for f in measure.figures} == {"seed"}
        assert [f.kind for f in measure.figures].count("actual") == 3
        assert [f.kind for f in measure.figures].count("target") == 3
        assert measure.baseline_start is None and measure.baseline_value is None
    # Row 11 is by academic year (its "**"): 2016/17 starts in September.
    row_11 = card.entries[10].measure
    assert row_11.figures[0].start == date(2016, 9, 1)


def test_worcestershire_matches_appendix_two_cell_by_cell(app_ctx):
    builders.load_performance()
    card = scorecard("worcestershire-back-to-basics")
    assert card.history == 1
    assert "Appendix Two: Back to Basic Performance Indicators" in card.source
    assert "target for March 2016" in card.description
    assert len(card.entries) == len(WORCESTERSHIRE) == 7
    reader = MeasureReader()
    for number, (entry, row) in enumerate(zip(card.entries, WORCESTERSHIRE, strict=True), 1):
        label, baseline, target, march, direction = row
        measure = entry.measure
        assert measure.code == f"worcestershire-{number:02d}"
        assert entry.label == label
        assert (measure.unit, measure.polarity, measure.frequency) == (
            "percent",
            "higher",
            "monthly",
        )
        assert measure.source == "entered"
        assert entry.published_direction == DIRECTIONS[direction]
        # Baseline: May 2015, with the printed figure ("-" as a note).
        assert measure.baseline_start == date(2015, 5, 1)
        figure, period_label = reader.baseline(measure)
        assert period_label == "May 2015"
        if baseline == "-":
            assert (figure.value, figure.note) == (None, "-")
        else:
            assert (figure.value, figure.note) == (Decimal(baseline.rstrip("%")), None)
        # Target, held against March 2016; March 2016 as the actual.
        march_2016 = parse_period("monthly", "March 2016")
        held, later = reader.target_for(measure, march_2016)
        assert not later and (held.start, held.end_on) == (date(2016, 3, 1), date(2016, 3, 31))
        assert (held.value, held.note) == (Decimal(target.rstrip("%")), None)
        actual = reader.actual(measure, march_2016)
        assert (actual.value, actual.note) == (Decimal(march.rstrip("%")), None)
        assert len(measure.figures) == 2 and not measure.benchmarks
        # The published direction agrees with the figures where there is a baseline.
        status = reader.status(measure, march_2016, history=1)
        if figure.value is not None:
            assert status.baseline_direction == entry.published_direction


def test_leicestershire_matches_what_success_will_look_like(app_ctx):
    builders.load_performance()
    card = scorecard("leicestershire-neet-targets")
    assert card.history == 1
    assert "What will success look like?" in card.source
    assert "Continuous Improvement Plan 2021-23" in card.description
    assert len(card.entries) == len(LEICESTERSHIRE) == 3
    reader = MeasureReader()
    for number, (entry, row) in enumerate(zip(card.entries, LEICESTERSHIRE, strict=True), 1):
        label, value, note, polarity = row
        measure = entry.measure
        assert measure.code == f"leicestershire-{number:02d}"
        assert entry.label == label
        assert (measure.unit, measure.polarity, measure.frequency) == (
            "percent",
            polarity,
            "monthly",
        )
        # One target spanning the plan: April 2021 to March 2023.
        targets = [f for f in measure.figures if f.kind == "target"]
        assert len(targets) == 1
        assert (targets[0].start, targets[0].end_on) == (date(2021, 4, 1), date(2023, 3, 31))
        assert (targets[0].value, targets[0].note) == (Decimal(value), note)
        for month in ("April 2021", "June 2022", "March 2023"):
            held, later = reader.target_for(measure, parse_period("monthly", month))
            assert held is not None and not later
            assert (held.start, held.end_on, held.value) == (
                targets[0].start,
                targets[0].end_on,
                targets[0].value,
            )
        after, _ = reader.target_for(measure, parse_period("monthly", "April 2023"))
        assert after is None
    # The one published actual: 410 (2.93%) in April 2021, a 16 to 18 headline.
    neet = card.entries[0].measure
    actual = reader.actual(neet, parse_period("monthly", "April 2021"))
    assert (actual.value, actual.note) == (Decimal("2.93"), "410 young people aged 16 to 18")
    assert "16 to 18" in neet.description and "16 to 19" in neet.description
    assert [f.kind for f in card.entries[1].measure.figures] == ["target"]
    assert [f.kind for f in card.entries[2].measure.figures] == ["target"]


def test_evaluation_model_is_seed_000_word_for_word(app_ctx):
    builders.load_performance()
    strategy = db.session.scalar(select(Strategy))
    assert count(Strategy) == 1
    assert (
        strategy.name
        == "Children, Young People and Families Workforce Development Strategy 2016-19"
    )
    assert strategy.authority == "North East Lincolnshire Council"
    assert (strategy.starts_on, strategy.ends_on) == (date(2016, 4, 1), date(2019, 3, 31))
    assert (
        strategy.model_title == "Children's Workforce Development Strategy Impact Evaluation Model"
    )
    assert "Children, Young People and Families Workforce Development Strategy 2016-2019" in (
        strategy.source
    )
    assert len(strategy.stages) == len(MODEL) == 4
    for position, (stage, expected) in enumerate(zip(strategy.stages, MODEL, strict=True), 1):
        kind, question, title, description, activities, evidence = expected
        assert (stage.kind, stage.position) == (kind, position)
        assert stage.question == question
        assert stage.title == title
        assert stage.description == description
        assert len(stage.activities) == len(activities)
        assert [a.text for a in stage.activities] == activities
        assert [a.position for a in stage.activities] == list(range(1, len(activities) + 1))
        assert len(stage.evidence) == len(evidence)
        assert [e.text for e in stage.evidence] == evidence
    assert [len(s.activities) for s in strategy.stages] == [7, 8, 17, 4]
    assert [len(s.evidence) for s in strategy.stages] == [7, 6, 18, 3]


def test_evidence_is_linked_to_the_measures_that_evidence_it(app_ctx):
    builders.load_performance()
    evidence = list(db.session.scalars(select(EvaluationEvidence)))
    by_text: dict[str, list[set[str]]] = {}
    for item in evidence:
        by_text.setdefault(item.text, []).append({m.code for m in item.measures})
    for text, codes in LINKED.items():
        assert codes in by_text[text], text
    for text in UNLINKED:
        assert all(not codes for codes in by_text[text]), text
    # Every computed measure of the output stage's evidence is computed; the entered ones
    # are entered, with no figures in the reference data.
    measures = {m.code: m for m in db.session.scalars(select(Measure))}
    for code in COMPUTED:
        assert measures[code].source == "computed" and measures[code].calculation
    for code in ENTERED:
        assert measures[code].source == "entered" and not measures[code].figures
    assert not any(m.figures or m.benchmarks for m in measures.values() if m.computed)
    assert {m.calculation_argument for m in measures.values() if m.calculation_argument} == {
        "Signs of Safety",
        "Restorative Practice",
        "Outcomes Based Accountability",
        "Family Group Conferencing",
    }
    linked = {code for item in evidence for code in (m.code for m in item.measures)}
    assert linked >= ENTERED
    # The links (rows of a plain table) are in the audit trail.
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "link"))
    assert event.entity_type == "EvaluationEvidence"
    assert sum(1 for item in evidence if item.measures) == len(event.changes["evidence_measures"])


def test_loading_twice_adds_nothing_and_keeps_the_councils_changes(app_ctx):
    first = builders.load_performance()
    assert first == {
        "measures": 51,
        "figures": 138,
        "benchmarks": 20,
        "strategies": 1,
        "scorecards": 3,
    }
    counts = {
        model: count(model)
        for model in (Measure, MeasureFigure, MeasureBenchmark, Scorecard, ScorecardMeasure)
    }
    events = count(AuditEvent)
    assert builders.load_performance() == dict.fromkeys(first, 0)
    assert {model: count(model) for model in counts} == counts
    assert count(AuditEvent) == events

    # A council's edits survive: a renamed measure, a changed target, a removed scorecard.
    turnover = db.session.scalar(select(Measure).where(Measure.code == "sw-turnover"))
    turnover.name = "Children's social worker turnover"
    turnover.tolerance = Decimal("2")
    row_2 = db.session.scalar(select(Measure).where(Measure.code == "northumberland-02"))
    target = next(f for f in row_2.figures if f.kind == "target")
    target.value = Decimal("12")
    db.session.delete(scorecard("leicestershire-neet-targets"))
    db.session.commit()
    again = builders.load_performance()
    assert again == {**dict.fromkeys(first, 0), "scorecards": 1}
    assert turnover.name == "Children's social worker turnover"
    assert turnover.tolerance == Decimal("2")
    assert target.value == Decimal("12")
    assert len(scorecard("leicestershire-neet-targets").entries) == 3
    assert count(Measure) == counts[Measure]


def test_seed_reference_loads_the_performance_seeds(app_ctx):
    runner = app_ctx.test_cli_runner()
    first = runner.invoke(args=["seed", "reference"])
    assert first.exit_code == 0, first.output
    assert "Performance: 51 measures, 1 evaluation model(s) and 3 scorecard(s) added" in (
        first.output
    )
    again = runner.invoke(args=["seed", "reference"])
    assert again.exit_code == 0 and "Performance: kept as it is" in again.output


BAD_SEEDS = [
    (
        "scorecards/worcestershire.yaml",
        "{period: 2016-03, value: 89}",
        "{period: 2016-03, value: 189}",
        "worcestershire-04, actual 1: value 189 is a percentage over 100",
    ),
    (
        "scorecards/northumberland.yaml",
        "{period: 2017/18, value: 69}",
        "{period: 2017-03, value: 69}",
        "northumberland-01, actual 2: period: '2017-03' is not a financial year",
    ),
    (
        "scorecards/leicestershire.yaml",
        "{from: 2021-04, to: 2023-03, value: 9, note: or below}",
        "{value: 9, note: or below}",
        "leicestershire-02, target 1: a target needs a period, or from and to",
    ),
    (
        "measures.yaml",
        "calculation: sw-stability",
        "calculation: sw-stabilty",
        "measures.yaml: measure 14, sw-stability: there is no calculation called 'sw-stabilty'",
    ),
    (
        "measures.yaml",
        "calculation_argument: Restorative Practice",
        "calculation_argument: Restorative Justice",
        "'Restorative Justice' is not a practice model of seeds/training.yaml",
    ),
    (
        "measures.yaml",
        "    unit: rate_10k",
        "    unit: per_10k",
        "lac-rate-per-10k: unit 'per_10k' is not one of count, percent",
    ),
    (
        "north_east_lincolnshire.yaml",
        "measures: [training-places-delivered]",
        "measures: [training-places]",
        "outputs stage, evidence 1 (Training statistics): no seeded measure has the code(s) "
        "training-places",
    ),
    (
        "north_east_lincolnshire.yaml",
        "  - kind: long_term_outcomes",
        "  - kind: longer_term_outcomes",
        "stage 4: kind 'longer_term_outcomes' is not one of",
    ),
    (
        "scorecards/northumberland.yaml",
        "- {comparator: england, value: 13.6}",
        "- {comparator: national, value: 13.6}",
        "northumberland-02, benchmark 1: comparator 'national' is not one of",
    ),
    (
        "scorecards/worcestershire.yaml",
        "published_direction: worsening",
        "published_direction: down-ish",
        "worcestershire-06: published_direction 'down-ish' is not one of",
    ),
    (
        "scorecards/leicestershire.yaml",
        "code: leicestershire-03",
        "code: worcestershire-03",
        # Files are read in order of name: the repeat is found in the later one.
        "worcestershire.yaml: the measure code worcestershire-03 is used in leicestershire.yaml",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "message"), BAD_SEEDS)
def test_a_bad_seed_file_is_refused_and_nothing_is_written(
    app_ctx, tmp_path: Path, name: str, old: str, new: str, message: str
):
    folder = tmp_path / "performance"
    shutil.copytree(PERFORMANCE_DIR, folder)
    path = folder / name
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))
    with pytest.raises(PerformanceSeedError) as refused:
        load_performance_seeds(folder)
    assert message in str(refused.value)
    db.session.rollback()
    assert count(Measure) == count(Strategy) == count(Scorecard) == 0


def test_the_shipped_seeds_read_cleanly(app_ctx, tmp_path: Path):
    seeds = read_seeds()
    assert len(seeds.measures) == 51 and len(seeds.strategies) == 1
    assert [s.code for s in seeds.scorecards] == [
        "leicestershire-neet-targets",
        "northumberland-performance-framework",
        "worcestershire-back-to-basics",
    ]
    # A file that is not YAML at all is refused by name.
    folder = tmp_path / "performance"
    shutil.copytree(PERFORMANCE_DIR, folder)
    (folder / "scorecards" / "broken.yaml").write_text("code: [unclosed\n")
    with pytest.raises(PerformanceSeedError, match=r"^broken\.yaml: not valid YAML"):
        read_seeds(folder)
