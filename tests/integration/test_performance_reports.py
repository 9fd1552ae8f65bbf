"""The scorecard and evaluation-model reports on small hand-made measures.

Measures (entered, financial years unless said):
- "turnover" (%, lower is better, tolerance 5): 2016/17 8.4, 2017/18 14.8, 2018/19 13.9;
  targets 2018/19 13.5 (so 13.9 misses by 0.4, within 5% of 13.5 = 0.675: amber) and
  2019/20 13.3; England 13.6 with no period; baseline 2016/17.
- "foster" (%, higher is better): 2016/17 79, 2017/18 76, 2018/19 73; target 2019/20 73
  only (so 2018/19 is judged against the next target: met, green); a note "N.A." with
  no figure for 2015/16.
- "visits" (%, higher, monthly): baseline May 2015 48, March 2016 89, target March 2016
  100 (red: 89 is 11% short); published direction "improving".
- "empty" (count, higher): no figures at all.

The evaluation model: inputs (one activity, one unlinked evidence), outputs (evidence
linked to turnover and foster), long-term outcomes (evidence linked to "empty").
"""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from workforce.extensions import db
from workforce.models.performance import (
    EvaluationActivity,
    EvaluationEvidence,
    EvaluationStage,
    Measure,
    MeasureBenchmark,
    MeasureFigure,
    Scorecard,
    ScorecardMeasure,
    Strategy,
)
from workforce.reports.base import Parameters
from workforce.reports.registry import get

ON = date(2019, 6, 30)


def _measure(code: str, **values: Any) -> Measure:
    defaults: dict[str, Any] = {
        "name": code.capitalize(),
        "unit": "percent",
        "polarity": "higher",
        "frequency": "financial_year",
        "rba_question": "how_well",
        "source": "entered",
        "owner_role": "hr",
        "tolerance": Decimal("5"),
        "decimals": 1,
    }
    defaults.update(values)
    measure = Measure(code=code, **defaults)
    db.session.add(measure)
    return measure


def _figure(
    measure: Measure, kind: str, start: date, end: date, value: str | None, note: str | None = None
) -> None:
    measure.figures.append(
        MeasureFigure(
            kind=kind,
            start=start,
            end_on=end,
            value=None if value is None else Decimal(value),
            note=note,
        )
    )


def _year(first: int) -> tuple[date, date]:
    return date(first, 4, 1), date(first + 1, 3, 31)


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    turnover = _measure("turnover", name="% staff turnover", polarity="lower")
    for first, value in ((2016, "8.4"), (2017, "14.8"), (2018, "13.9")):
        _figure(turnover, "actual", *_year(first), value)
    _figure(turnover, "target", *_year(2018), "13.5")
    _figure(turnover, "target", *_year(2019), "13.3")
    turnover.benchmarks.append(MeasureBenchmark(comparator="england", value=Decimal("13.6")))
    turnover.baseline_start = date(2016, 4, 1)

    foster = _measure("foster", name="% in foster care")
    _figure(foster, "actual", *_year(2015), None, "N.A.")
    for first, value in ((2016, "79"), (2017, "76"), (2018, "73")):
        _figure(foster, "actual", *_year(first), value)
    _figure(foster, "target", *_year(2019), "73")

    visits = _measure("visits", name="Timeliness of visits", frequency="monthly")
    visits.baseline_start = date(2015, 5, 1)
    visits.baseline_value = Decimal("48")
    _figure(visits, "actual", date(2016, 3, 1), date(2016, 3, 31), "89")
    _figure(visits, "target", date(2016, 3, 1), date(2016, 3, 31), "100")

    empty = _measure("empty", name="Empty measure", unit="count")

    card = Scorecard(code="test-card", name="Test scorecard", history=3, source="Hand-made")
    for position, (measure, label, published) in enumerate(
        (
            (turnover, "2. % staff turnover", None),
            (foster, "", None),
            (visits, "", "improving"),
            (empty, "", None),
        )
    ):
        card.entries.append(
            ScorecardMeasure(
                measure=measure, position=position, label=label, published_direction=published
            )
        )
    db.session.add(card)

    strategy = Strategy(code="test-strategy", name="Test strategy", model_title="Test model")
    inputs = EvaluationStage(kind="inputs", position=0, question="WHAT DID WE DO?", title="Input")
    inputs.activities.append(EvaluationActivity(position=0, text="Define capabilities"))
    inputs.evidence.append(EvaluationEvidence(position=0, text="Capabilities document developed"))
    outputs = EvaluationStage(kind="outputs", position=1, title="Output")
    outputs.evidence.append(
        EvaluationEvidence(position=0, text="Statistics on retention", measures=[turnover, foster])
    )
    late = EvaluationStage(kind="long_term_outcomes", position=2, title="Long term outcomes")
    late.evidence.append(EvaluationEvidence(position=0, text="Something", measures=[empty]))
    strategy.stages.extend([inputs, outputs, late])
    db.session.add(strategy)
    db.session.commit()
    return {"turnover": turnover, "foster": foster, "visits": visits, "empty": empty}


def _scorecard() -> Any:
    definition = get("scorecard")
    assert definition is not None
    return definition.build(Parameters(scorecard="test-card", on=ON), None)


def _rows_by_measure(result: Any) -> dict[str, dict[str, Any]]:
    return {row["measure"]: row for row in result.rows}


def test_the_scorecard_prints_each_figure_as_entered_and_judges_the_latest(world):
    result = _scorecard()
    labels = [column.label for column in result.columns]
    assert labels[:5] == ["Measure", "Polarity", "Unit", "Baseline", "England average"]
    assert "Actual 2016/17" in labels and "Actual 2018/19" in labels
    assert "Actual 2015/16" not in labels  # history is 3 columns
    # Targets from the first actual column on (visits' March 2016 target is earlier).
    assert [label for label in labels if label.startswith("Target 2")] == [
        "Target 2018/19",
        "Target 2019/20",
    ]
    rows = _rows_by_measure(result)
    keys = {column.label: column.key for column in result.columns}
    turnover = rows["2. % staff turnover"]
    assert turnover[keys["England average"]] == "13.6%"
    assert [turnover[keys[f"Actual {y}"]] for y in ("2016/17", "2017/18", "2018/19")] == [
        "8.4%",
        "14.8%",
        "13.9%",
    ]
    assert turnover[keys["Target 2018/19"]] == "13.5%"
    assert turnover["baseline"] == "8.4% (2016/17)"
    assert turnover["latest"] == "13.9%"
    assert turnover["target_compared"] == "2018/19"
    assert turnover["rag"] == "Amber"
    assert turnover["target_met"] == "No"
    assert turnover["direction"] == "Improving"  # 14.8 to 13.9, lower is better
    assert turnover["trend"] == "Improving"
    assert turnover["variance"] == Decimal("0.0296")  # (13.9 - 13.5) / 13.5
    assert turnover["baseline_change"] == Decimal("0.6548")  # (13.9 - 8.4) / 8.4

    foster = rows["% in foster care"]
    assert foster["target_compared"] == "2019/20 (next target)"
    assert foster["rag"] == "Green" and foster["target_met"] == "Yes"
    assert foster["trend"] == "Worsening for 2 periods"

    visits = rows["Timeliness of visits"]
    assert visits["baseline"] == "48% (May 2015)"
    assert visits["latest_period"] == "March 2016"
    assert visits["rag"] == "Red"
    assert visits["direction"] == "Improving (since baseline)"

    empty = rows["Empty measure"]
    assert empty["latest"] == "No data yet"
    assert empty["rag"] == "" and empty["target_compared"] == "No target"
    assert result.summary == {
        "measures": 4,
        "green": 1,
        "amber": 1,
        "red": 1,
        "no_rag": 1,
        "with_data": 3,
    }


def test_a_published_direction_is_shown_only_where_the_figures_cannot_say(world):
    world["visits"].baseline_value = None
    db.session.commit()
    visits = _rows_by_measure(_scorecard())["Timeliness of visits"]
    assert visits["direction"] == "Improving (as published)"


def test_each_measure_has_a_chart_of_actuals_against_targets(world):
    result = _scorecard()
    charts = {chart["title"]: chart for chart in result.page["charts"]}
    turnover = charts["2. % staff turnover"]
    assert turnover["spec"]["type"] == "line"
    assert turnover["spec"]["labels"] == ["2016/17", "2017/18", "2018/19", "2019/20"]
    actual, target = turnover["spec"]["datasets"]
    assert actual["data"] == [8.4, 14.8, 13.9, None]
    assert target["data"] == [None, None, 13.5, 13.3]
    visits = charts["Timeliness of visits"]
    assert visits["spec"]["labels"] == ["May 2015", "March 2016"]
    assert visits["spec"]["datasets"][0]["data"] == [48.0, 89.0]
    # The same figures, for the table beside the chart.
    assert visits["rows"] == [
        {"period": "May 2015", "actual": "48%", "target": ""},
        {"period": "March 2016", "actual": "89%", "target": "100%"},
    ]


def _model(year: int = 2018) -> Any:
    definition = get("evaluation-model")
    assert definition is not None
    start, end = definition.year.bounds(year)
    return definition.build(
        Parameters(start=start, end=end, year=year, strategy="test-strategy"), None
    )


def test_the_evaluation_model_lists_each_stage_and_says_which_evidence_has_no_data(world):
    result = _model()
    rows = result.rows
    assert [(r["stage"], r["item"], r["text"]) for r in rows][:2] == [
        ("Input", "Activity", "Define capabilities"),
        ("Input", "Evidence", "Capabilities document developed"),
    ]
    assert rows[1]["status"] == "Not measured in the app"
    linked = [r for r in rows if r.get("measure")]
    assert [(r["measure"], r["period"], r["value"], r["status"]) for r in linked] == [
        ("% in foster care", "2018/19", "73%", "Measured"),
        ("% staff turnover", "2018/19", "13.9%", "Measured"),
        ("Empty measure", "2018/19", "", "No data yet"),
    ]
    assert linked[1]["rag"] == "Amber" and linked[1]["direction"] == "Improving"
    assert result.summary["evidence"] == 3
    assert result.summary["measured"] == 1
    assert result.summary["no_data"] == 1
    assert result.summary["not_measured"] == 1
    stages = result.page["stages"]
    assert [s["title"] for s in stages] == ["Input", "Output", "Long term outcomes"]
    assert stages[2]["evidence"][0]["status"] == "No data yet"


def test_an_earlier_year_reads_that_years_figures(world):
    linked = [r for r in _model(2016).rows if r.get("measure") == "% staff turnover"]
    assert linked[0]["value"] == "8.4%"
    assert linked[0]["direction"] == ""  # nothing before 2016/17


def test_the_pages_and_downloads(client, login, world):
    login("senior_leader")
    page = client.get("/reports/scorecard?scorecard=test-card&on=2019-06-30")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "2. % staff turnover" in text
    assert "Amber" in text and "data-chart=" in text
    assert "Improving (since baseline)" in text
    json_doc = json.loads(client.get("/reports/scorecard?scorecard=test-card&format=json").data)
    assert json_doc["report"] == "scorecard"
    assert json_doc["parameters"]["scorecard"] == "test-card"
    assert len(json_doc["rows"]) == 4
    assert json_doc["summary"]["series"]

    model = client.get("/reports/evaluation-model?strategy=test-strategy&year=2018")
    assert model.status_code == 200
    body = model.get_data(as_text=True)
    assert "Capabilities document developed" in body
    assert "Not measured in the app" in body and "No data yet" in body
    xlsx = client.get("/reports/evaluation-model?strategy=test-strategy&year=2018&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["Stage", "Question", "Item", "Text"]
    assert values[1][:4] == ["Input", "WHAT DID WE DO?", "Activity", "Define capabilities"]
    assert any(row[4] == "% staff turnover" and row[6] == "13.9%" for row in values)


def test_an_unknown_scorecard_is_a_clear_problem(client, login, world):
    login("hr")
    response = client.get("/reports/scorecard?scorecard=nope&format=json")
    assert response.status_code == 400
    assert response.json["errors"] == [
        {"field": "scorecard", "message": "There is no scorecard 'nope'"}
    ]


@pytest.mark.parametrize("role", ["practitioner", "supervisor"])
def test_other_roles_may_not_read_them(client, login, world, role):
    login(role)
    assert client.get("/reports/scorecard").status_code == 403
    assert client.get("/reports/evaluation-model").status_code == 403


def test_the_command_line_takes_scorecard_and_strategy(app_ctx, world, tmp_path):
    runner = app_ctx.test_cli_runner()
    listed = runner.invoke(args=["report", "--list"])
    assert "--scorecard NAME" in listed.output and "--strategy NAME" in listed.output
    out = tmp_path / "card.json"
    result = runner.invoke(
        args=[
            "report",
            "scorecard",
            "--scorecard",
            "Test scorecard",
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["parameters"]["scorecard_name"] == "Test scorecard"
    model = runner.invoke(args=["report", "evaluation-model", "--year", "2018", "--format", "csv"])
    assert model.exit_code == 0, model.output
    assert "Statistics on retention" in model.output
    refused = runner.invoke(args=["report", "turnover", "--scorecard", "x"])
    assert refused.exit_code == 2
    assert "does not take --scorecard" in refused.output


def test_a_measure_that_cannot_be_computed_says_why_without_stopping_the_reports(world):
    broken = _measure(
        "broken",
        name="Staff trained in a renamed model",
        unit="count",
        source="computed",
        calculation="staff-trained-in-practice-model",
        calculation_argument="No such model",
    )
    card = db.session.scalars(select(Scorecard)).one()
    card.entries.append(ScorecardMeasure(measure=broken, position=9))
    strategy = db.session.scalars(select(Strategy)).one()
    strategy.stages[0].evidence[0].measures.append(broken)
    db.session.commit()
    row = _rows_by_measure(_scorecard())["Staff trained in a renamed model"]
    assert row["latest"] == "Cannot be computed: There is no practice model called 'No such model'"
    linked = [r for r in _model().rows if r.get("measure") == "Staff trained in a renamed model"]
    assert linked[0]["status"] == row["latest"]
