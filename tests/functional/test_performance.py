"""The performance pages through the interface: who may read and change what, the measures
list, creating and changing measures, the turn-the-curve page (history, forecast, status,
plan, commentary, actions, where it is used), figures with every refusal of bad input, and
the upload of figures (preview, row-numbered problems, all or nothing, replacement)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.metrics.periods import period_containing, shift
from workforce.models import AuditEvent
from workforce.models.performance import (
    EvaluationEvidence,
    EvaluationStage,
    Measure,
    MeasureAction,
    MeasureBenchmark,
    MeasureCommentary,
    MeasureFigure,
    Scorecard,
    ScorecardMeasure,
    Strategy,
)
from workforce.services.measure_calculations import CALCULATIONS, Calculation

CALCULATION = "test-only-year-number"


def text(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def words(response: Any) -> str:
    """The page's text without its tags, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def make_measure(code: str = "referrals-rated-good", **values: Any) -> Measure:
    defaults: dict[str, Any] = {
        "name": "Referrals rated good or better",
        "unit": "percent",
        "polarity": "higher",
        "frequency": "financial_year",
        "rba_question": "how_well",
        "source": "entered",
        "owner_role": "hr",
        "tolerance": Decimal(5),
        "decimals": 1,
    }
    measure = Measure(code=code, **{**defaults, **values})
    db.session.add(measure)
    db.session.commit()
    return measure


def add_figure(measure: Measure, kind: str, start: date, end: date, value: Any, note: str = None):
    figure = MeasureFigure(
        measure=measure, kind=kind, start=start, end_on=end, value=value, note=note
    )
    db.session.add(figure)
    db.session.commit()
    return figure


def year(first: int) -> tuple[date, date]:
    return date(first, 4, 1), date(first + 1, 3, 31)


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def calculation() -> Iterator[str]:
    """A computed measure's calculation for the tests: the period's first year less 2000."""
    CALCULATIONS[CALCULATION] = Calculation(
        CALCULATION,
        "Test figure (year number)",
        "The period's first year less 2000.",
        "count",
        lambda start, end, argument: Decimal(start.year - 2000),
    )
    yield CALCULATION
    CALCULATIONS.pop(CALCULATION, None)


@pytest.fixture
def measure(db_session: Any) -> Measure:
    """An HR-owned percentage measure by financial year with three actuals and targets."""
    item = make_measure()
    for first, value in ((2021, "60"), (2022, "65"), (2023, "70")):
        add_figure(item, "actual", *year(first), Decimal(value))
    add_figure(item, "target", year(2021)[0], year(2023)[1], Decimal("72"))
    add_figure(item, "target", year(2024)[0], year(2026)[1], Decimal("75"))
    return item


def form(**values: Any) -> dict[str, Any]:
    data = {
        "name": "Assessments stepped down",
        "code": "assessments-stepped-down",
        "description": "",
        "rba_question": "better_off",
        "unit": "percent",
        "polarity": "higher",
        "frequency": "financial_year",
        "source": "entered",
        "calculation": "",
        "calculation_argument": "",
        "owner_role": "hr",
        "tolerance": "5",
        "decimals": "1",
        "baseline_period": "",
        "baseline_value": "",
        "baseline_note": "",
        "active": "y",
    }
    data.update(values)
    return data


# --- who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "read", "change"),
    [
        (("practitioner",), 403, 403),
        (("supervisor",), 403, 403),
        (("senior_leader",), 200, 403),
        (("ld_officer",), 200, 403),
        (("hr",), 200, 200),
        (("admin",), 200, 200),
    ],
)
def test_who_may_read_and_change_an_hr_measure(client, login, measure, roles, read, change):
    login(*roles)
    figure = measure.figures[0]
    figure_id = figure.id
    for path in ("/performance/", "/performance/scorecards", f"/performance/measures/{measure.id}"):
        assert client.get(path).status_code == read, path
    for path in (
        f"/performance/measures/{measure.id}/edit",
        f"/performance/measures/{measure.id}/actuals/new",
        f"/performance/measures/{measure.id}/targets/new",
        f"/performance/measures/{measure.id}/benchmarks/new",
        f"/performance/measures/{measure.id}/commentary/new",
        f"/performance/measures/{measure.id}/actions/new",
        f"/performance/measures/{measure.id}/plan",
        f"/performance/figures/{figure.id}/edit",
        f"/performance/figures/{figure.id}/delete",
    ):
        assert client.get(path).status_code == change, path
    response = client.post(
        f"/performance/measures/{measure.id}/actuals/new",
        data={"period": "2024/25", "value": "71", "note": ""},
    )
    assert response.status_code == (302 if change == 200 else 403)
    assert count(MeasureFigure) == (6 if change == 200 else 5)
    response = client.post(f"/performance/figures/{figure.id}/delete")
    assert response.status_code == (302 if change == 200 else 403)
    assert (db.session.get(MeasureFigure, figure_id) is None) == (change == 200)
    if read == 200:
        page = text(client.get(f"/performance/measures/{measure.id}"))
        assert ("Enter an actual" in page) == (change == 200)
        assert ("Change the measure" in page) == (change == 200)
        assert ("Add commentary" in page) == (change == 200)


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        (("practitioner",), 403),
        (("supervisor",), 403),
        (("senior_leader",), 403),
        (("hr",), 200),
        (("ld_officer",), 200),
        (("admin",), 200),
    ],
)
def test_who_may_create_measures_and_upload(client, login, db_session, roles, status):
    login(*roles)
    assert client.get("/performance/measures/new").status_code == status
    assert client.get("/performance/upload").status_code == status
    assert client.get("/performance/upload/template.csv").status_code == status
    if status == 200:
        assert "Add a measure" in text(client.get("/performance/"))
    elif roles == ("senior_leader",):
        assert "Add a measure" not in text(client.get("/performance/"))


def test_hr_cannot_change_an_ld_officer_measure(client, login, db_session):
    owned = make_measure("training-rated-good", name="Training rated good", owner_role="ld_officer")
    login("hr")
    assert client.get(f"/performance/measures/{owned.id}").status_code == 200
    assert client.get(f"/performance/measures/{owned.id}/edit").status_code == 403
    response = client.post(
        f"/performance/measures/{owned.id}/actuals/new",
        data={"period": "2024/25", "value": "71"},
    )
    assert response.status_code == 403
    response = client.post(f"/performance/measures/{owned.id}/plan", data={"story": "Mine now"})
    assert response.status_code == 403
    assert count(MeasureFigure) == 0 and db.session.get(Measure, owned.id).story == ""


def test_the_navigation_offers_performance_to_its_readers(client, login, db_session):
    login("senior_leader")
    assert 'href="/performance/"' in text(client.get("/"))
    client.post("/logout")
    login("practitioner")
    assert 'href="/performance/"' not in text(client.get("/"))


def test_missing_things_are_not_found(client, login, db_session):
    login("admin")
    for path in (
        "/performance/measures/999999",
        "/performance/measures/999999/edit",
        "/performance/figures/999999/edit",
        "/performance/benchmarks/999999/delete",
        "/performance/actions/999999/edit",
    ):
        assert client.get(path).status_code == 404, path


# --- the list of measures -------------------------------------------------------------------------


def test_the_list_judges_each_measure_for_its_latest_period(client, login, measure, calculation):
    make_measure(
        "sessions-by-year",
        name="Sessions by year",
        unit="count",
        polarity="neither",
        source="computed",
        calculation=calculation,
        rba_question="how_much",
        owner_role="ld_officer",
        decimals=0,
    )
    make_measure(
        "broken",
        name="Broken calculation",
        unit="count",
        source="computed",
        calculation="no-such-calculation",
        rba_question="how_much",
    )
    login("senior_leader")
    page = text(client.get("/performance/"))
    # The entered measure: 2023/24's 70% against 72%, amber (within 5% of the target), up.
    row = page[page.index("Referrals rated good or better") :]
    row = row[: row.index("</tr>")]
    assert "2023/24" in row and "70.0%" in row and "72.0%" in row
    assert "◐" in row and "Amber: within tolerance of target" in row
    assert "▲" in row and "Improving" in row
    # The computed one: last year ended, its figures left to its own page (working them
    # out reads the app's records), where they are worked out and judged.
    last = shift(period_containing("financial_year", date.today()), -1)
    computed = page[page.index("Sessions by year") :]
    computed = computed[: computed.index("</tr>")]
    assert last.label in computed and "Work it out" in computed
    assert "On the measure's page and its scorecards" in computed
    assert "Cannot be computed" in page and "no-such-calculation" in page
    detail = text(
        client.get(
            page[page.index("/performance/measures/", page.index("Sessions by year")) :].split('"')[
                0
            ]
        )
    )
    assert str(last.start.year - 2000) in detail and "Going up" in detail
    # Grouped by question: how much, then how well.
    assert page.index("Sessions by year") < page.index("Referrals rated good or better")


def test_the_list_searches_filters_sorts_and_pages(client, login, measure, app, monkeypatch):
    make_measure("looked-after-rate", name="Rate of looked after children", unit="rate_10k",
                 polarity="lower", rba_question="better_off")  # fmt: skip
    make_measure("old-measure", name="An old measure", active=False, owner_role="ld_officer")
    login("hr")
    names = ("Referrals rated good", "Rate of looked after", "An old measure")

    def shown(query: str) -> list[str]:
        page = text(client.get(f"/performance/?{query}"))
        return [name for name in names if name in page]

    assert shown("") == ["Referrals rated good", "Rate of looked after"]
    assert shown("q=looked") == ["Rate of looked after"]
    assert shown("q=REFERRALS-RATED") == ["Referrals rated good"]
    assert shown("question=better_off") == ["Rate of looked after"]
    assert shown("state=inactive") == ["An old measure"]
    assert shown("state=all&owner=ld_officer") == ["An old measure"]
    assert shown("source=computed") == []
    page = text(client.get("/performance/?sort=name&order=desc"))
    assert page.index("Referrals rated good") < page.index("Rate of looked after")
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    first = text(client.get("/performance/?sort=name"))
    assert "Showing 1 to 1 of 2 measures" in first and "Rate of looked after" in first
    second = text(client.get("/performance/?sort=name&page=2"))
    assert "Referrals rated good" in second and "Rate of looked after" not in second


def test_the_scorecards_page_links_to_the_reports(client, login, measure):
    card = Scorecard(code="northumberland", name="Northumberland performance framework")
    card.entries.append(ScorecardMeasure(measure=measure, position=1))
    strategy = Strategy(code="nel-2016", name="Workforce Development Strategy 2016-19")
    db.session.add_all([card, strategy])
    db.session.commit()
    login("senior_leader")
    page = text(client.get("/performance/scorecards"))
    assert "/reports/scorecard?scorecard=northumberland" in page
    assert "/reports/evaluation-model?strategy=nel-2016" in page
    assert "Workforce Development Strategy 2016-19" in page
    assert "1 scorecard and 1 strategy" in text(client.get("/performance/"))


# --- creating and changing measures ------------------------------------------------------------


def test_hr_adds_an_entered_measure_with_a_baseline(client, login, db_session):
    login("hr")
    response = client.post(
        "/performance/measures/new",
        data=form(baseline_period="2015-16", baseline_value="41.5", baseline_note="May 2015"),
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Measure).where(Measure.code == "assessments-stepped-down"))
    assert created.owner_role == "hr" and created.source == "entered"
    assert created.baseline_start == date(2015, 4, 1) and created.baseline_value == Decimal("41.5")
    page = words(client.get(response.headers["Location"]))
    assert "Baseline 41.5% (May 2015) in 2015/16" in page
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "Measure", AuditEvent.action == "create")
    )
    assert event is not None


def test_a_measure_owner_is_limited_to_the_creators_role(client, login, db_session):
    login("hr")
    page = text(client.post("/performance/measures/new", data=form(owner_role="ld_officer")))
    assert "Choose who owns the measure from the roles listed" in page
    assert count(Measure) == 0
    client.post("/logout")
    login("admin")
    response = client.post("/performance/measures/new", data=form(owner_role="ld_officer"))
    assert response.status_code == 302
    assert db.session.scalar(select(Measure.owner_role)) == "ld_officer"


def test_admin_adds_a_computed_measure(client, login, db_session, calculation):
    login("admin")
    page = text(client.get("/performance/measures/new"))
    assert "Test figure (year number)" in page
    refused = text(
        client.post(
            "/performance/measures/new",
            data=form(source="computed", calculation=calculation, unit="percent"),
        )
    )
    assert "gives a figure in the unit count: choose that unit" in refused
    refused = text(
        client.post(
            "/performance/measures/new",
            data=form(source="computed", calculation=calculation, unit="count", baseline_value="4"),
        )
    )
    assert "leave the baseline value blank" in refused
    response = client.post(
        "/performance/measures/new",
        data=form(source="computed", calculation=calculation, unit="count", polarity="neither"),
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Measure))
    assert created.computed and created.calculation == calculation


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": ""}, "Enter the measure's name"),
        ({"code": "Bad Code!"}, "The code must be up to 60 lower-case letters"),
        ({"unit": "furlongs"}, "Choose the unit the measure is counted in"),
        ({"rba_question": ""}, "Choose the question the measure answers"),
        ({"source": "computed"}, "Choose the calculation that computes the measure"),
        ({"calculation": "no-such-calculation"}, "Choose one of the calculations listed"),
        ({"tolerance": "150"}, "The tolerance must be between 0 and 100"),
        ({"decimals": "7"}, "from 0 to 4"),
        ({"baseline_period": "2019-05"}, "'2019-05' is not a financial year, like 2019/20"),
        ({"baseline_value": "120"}, "A percentage must be between 0 and 100"),
        ({"baseline_value": "=1+1"}, "must be a number"),
    ],
)
def test_a_bad_measure_is_refused_with_the_typed_values_kept(
    client, login, db_session, values, message
):
    login("hr")
    response = client.post("/performance/measures/new", data=form(**values))
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert 'value="Assessments stepped down"' in page or values.get("name") == ""
    for typed in values.values():
        if typed and typed not in ("computed", "furlongs", "no-such-calculation"):
            assert f'value="{typed}"' in page or f">{typed}<" in page, typed
    assert count(Measure) == 0


def test_a_duplicate_code_is_refused(client, login, measure):
    login("hr")
    page = text(client.post("/performance/measures/new", data=form(code="referrals-rated-good")))
    assert "Another measure has the code referrals-rated-good" in page
    assert count(Measure) == 1


def test_changing_a_measure_and_its_frequency(client, login, measure):
    login("hr")
    page = text(client.get(f"/performance/measures/{measure.id}/edit"))
    assert 'value="Referrals rated good or better"' in page
    refused = text(
        client.post(
            f"/performance/measures/{measure.id}/edit",
            data=form(name="Referrals rated good", code=measure.code, frequency="monthly"),
        )
    )
    assert "The frequency cannot change" in refused
    assert db.session.get(Measure, measure.id).frequency == "financial_year"
    response = client.post(
        f"/performance/measures/{measure.id}/edit",
        data=form(name="Referrals rated good", code=measure.code, tolerance="2.5"),
    )
    assert response.status_code == 302
    changed = db.session.get(Measure, measure.id)
    assert changed.name == "Referrals rated good" and changed.tolerance == Decimal("2.5")
    # Without figures, the frequency may change.
    bare = make_measure("bare", name="Bare")
    response = client.post(
        f"/performance/measures/{bare.id}/edit",
        data=form(name="Bare", code="bare", frequency="quarterly", active=""),
    )
    assert response.status_code == 302
    bare = db.session.get(Measure, bare.id)
    assert bare.frequency == "quarterly" and not bare.active


# --- the turn-the-curve page -------------------------------------------------------------------------


def test_the_turn_the_curve_page(client, login, measure):
    author = builders.make_user("hr", email="writer@example.org")
    db.session.add_all(
        [
            MeasureBenchmark(
                measure_id=measure.id,
                comparator="england",
                start=date(2023, 4, 1),
                value=Decimal("68.2"),
            ),
            MeasureCommentary(
                measure_id=measure.id, body="Older words", start=None, author_id=author.id
            ),
        ]
    )
    db.session.commit()
    db.session.add(
        MeasureCommentary(
            measure_id=measure.id,
            body="Audits improved",
            start=date(2023, 4, 1),
            author_id=author.id,
        )
    )
    overdue = MeasureAction(
        measure_id=measure.id,
        description="Run practice audits monthly",
        owner="Head of service",
        due_on=date.today() - timedelta(days=3),
    )
    later = MeasureAction(
        measure_id=measure.id,
        description="Publish a guide",
        owner="Principal social worker",
        due_on=date.today() + timedelta(days=30),
    )
    card = Scorecard(code="plan", name="Improvement plan")
    card.entries.append(ScorecardMeasure(measure=measure, position=1))
    strategy = Strategy(code="nel", name="NEL strategy")
    stage = EvaluationStage(kind="outputs", title="Output", position=2)
    strategy.stages.append(stage)
    evidence = EvaluationEvidence(text="Audit results", position=1)
    evidence.measures.append(measure)
    stage.evidence.append(evidence)
    db.session.add_all([overdue, later, card, strategy])
    db.session.commit()
    add_figure(measure, "actual", *year(2018), Decimal("55"))  # then two years without
    login("senior_leader")
    page = text(client.get(f"/performance/measures/{measure.id}"))
    assert "Latest: 2023/24" in page
    assert "Amber: within tolerance of target" in page and "◐" in page
    assert "-2.8%" in page  # (70 - 72) / 72
    assert "97.2%" in page
    assert "Improving for 2 periods" in page
    assert "England average: 68.2% (2023/24)" in page
    assert "Scorecard: " in page and "/reports/scorecard?scorecard=plan" in page
    assert "/reports/evaluation-model?strategy=nel" in page and "Audit results" in page
    # History with targets, and a forecast clearly labelled.
    assert page.count("Forecast</strong>") == 3
    assert "75.0%" in page and "76.8%" in page  # the next plan's target beside the forecast
    chart = json.loads(re.search(r"data-chart='([^']*)'", page).group(1))
    assert chart["type"] == "line"
    assert [d["label"] for d in chart["datasets"]] == ["Actual", "Target", "Forecast"]
    assert chart["labels"] == [
        "2018/19", "2019/20", "2020/21", "2021/22", "2022/23", "2023/24",
        "2024/25 (forecast)", "2025/26 (forecast)", "2026/27 (forecast)",
    ]  # fmt: skip
    # Nulls are gaps: years without figures, no actual in the forecast's periods, no forecast
    # in the history. The forecast is the least-squares line through the four figures.
    assert chart["datasets"][0]["data"] == [55.0, None, None, 60.0, 65.0, 70.0, None, None, None]
    assert chart["datasets"][1]["data"] == [None, None, None, 72.0, 72.0, 72.0, 75.0, 75.0, 75.0]
    assert chart["datasets"][2]["data"] == [None] * 6 + [71.1, 73.9, 76.8]
    assert "actuals and targets from 2018/19 to 2023/24" in page
    assert "2017/18" not in page  # the periods before any figure are left out
    # Commentary newest first, with author and date; actions with the overdue one flagged.
    assert page.index("Audits improved") < page.index("Older words")
    assert "By writer@example.org on" in page
    assert "Overdue" in page and page.index("Run practice audits") < page.index("Publish a guide")
    short = text(client.get(f"/performance/measures/{measure.id}?periods=4"))
    assert "actuals and targets from 2021/22 to 2023/24" in short  # 2020/21 has nothing


def test_a_measure_without_enough_figures_has_no_forecast(client, login, db_session):
    bare = make_measure()
    login("hr")
    page = text(client.get(f"/performance/measures/{bare.id}"))
    assert "There is no forecast" in page and "No targets have been set" in page
    assert "data-chart" not in page


def test_a_computed_measure_shows_computed_values_and_refuses_typed_actuals(
    client, login, db_session, calculation
):
    computed = make_measure(
        "sessions-by-year",
        name="Sessions by year",
        unit="count",
        source="computed",
        calculation=calculation,
        decimals=0,
    )
    login("hr")
    page = text(client.get(f"/performance/measures/{computed.id}"))
    last = shift(period_containing("financial_year", date.today()), -1)
    assert last.label in page and "Enter an actual" not in page and "Set a target" in page
    explained = text(client.get(f"/performance/measures/{computed.id}/actuals/new"))
    assert "Actuals are computed, not typed" in explained
    response = client.post(
        f"/performance/measures/{computed.id}/actuals/new", data={"period": "2024/25", "value": "3"}
    )
    assert "Actuals are computed, not typed" in text(response)
    assert count(MeasureFigure) == 0
    # Its targets and benchmarks are accepted.
    response = client.post(
        f"/performance/measures/{computed.id}/targets/new",
        data={"start": "2024/25", "end": "", "value": "30"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/performance/measures/{computed.id}/benchmarks/new",
        data={"comparator": "england", "period": "", "value": "22"},
    )
    assert response.status_code == 302
    assert count(MeasureFigure) == 1 and count(MeasureBenchmark) == 1


# --- figures ----------------------------------------------------------------------------------------


def test_entering_changing_and_removing_an_actual(client, login, measure):
    login("hr")
    response = client.post(
        f"/performance/measures/{measure.id}/actuals/new",
        data={"period": "2024-25", "value": "73.5%", "note": "12 / 16"},
    )
    assert response.status_code == 302
    figure = db.session.scalar(
        select(MeasureFigure).where(
            MeasureFigure.kind == "actual", MeasureFigure.start == date(2024, 4, 1)
        )
    )
    assert figure.value == Decimal("73.5") and figure.note == "12 / 16"
    assert figure.end_on == date(2025, 3, 31) and figure.origin == "entered"
    figure_id = figure.id
    page = text(client.get(f"/performance/figures/{figure.id}/edit"))
    assert 'value="2024/25"' in page and 'value="73.5"' in page
    duplicate = text(
        client.post(
            f"/performance/measures/{measure.id}/actuals/new",
            data={"period": "2024/25", "value": "74"},
        )
    )
    assert "There is already an actual for 2024/25" in duplicate
    response = client.post(
        f"/performance/figures/{figure.id}/edit", data={"period": "2024/25", "value": "74"}
    )
    assert response.status_code == 302
    assert db.session.get(MeasureFigure, figure.id).value == Decimal("74")
    confirm = text(client.get(f"/performance/figures/{figure.id}/delete"))
    assert "Remove the actual for 2024/25?" in confirm and "74.0%" in confirm
    assert db.session.get(MeasureFigure, figure.id) is not None
    client.post(f"/performance/figures/{figure_id}/delete")
    assert db.session.get(MeasureFigure, figure_id) is None
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type == "MeasureFigure", AuditEvent.action == "delete")
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"period": "2019-05", "value": "50"}, "'2019-05' is not a financial year, like 2019/20"),
        ({"period": "", "value": "50"}, "Enter the period: a financial year, like 2019/20"),
        ({"period": "2024/25", "value": "104"}, "A percentage must be between 0 and 100"),
        ({"period": "2024/25", "value": "-1"}, "A percentage must be between 0 and 100"),
        ({"period": "2024/25", "value": "lots"}, "The value must be a number, like 73.5"),
        ({"period": "2024/25", "value": "=A1*2"}, "The value must be a number"),
        ({"period": "2024/25", "value": "", "note": ""}, "Enter the value, or a note saying why"),
        ({"period": "2024/25", "value": "50.12345"}, "no more than 4 decimal places"),
    ],
)
def test_a_bad_actual_is_refused_with_the_typed_values_kept(client, login, measure, data, message):
    login("hr")
    response = client.post(f"/performance/measures/{measure.id}/actuals/new", data=data)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    for typed in data.values():
        if typed:
            assert f'value="{typed}"' in page, typed
    assert count(MeasureFigure) == 5


def test_a_negative_count_is_refused(client, login, db_session):
    counted = make_measure("referrals", name="Referrals", unit="count", rba_question="how_much")
    login("hr")
    page = text(
        client.post(
            f"/performance/measures/{counted.id}/actuals/new",
            data={"period": "2024/25", "value": "-3"},
        )
    )
    assert "A count cannot be negative" in page and 'value="-3"' in page
    page = text(
        client.post(
            f"/performance/measures/{counted.id}/actuals/new",
            data={"period": "2024/25", "value": "2.5"},
        )
    )
    assert "A count must be a whole number" in page
    assert count(MeasureFigure) == 0


def test_targets_for_a_period_or_a_span_and_overlaps_refused(client, login, measure):
    login("hr")
    refused = text(
        client.post(
            f"/performance/measures/{measure.id}/targets/new",
            data={"start": "", "end": "", "value": "80"},
        )
    )
    assert "Enter the period the target is for: a financial year, like 2019/20" in refused
    assert 'value="80"' in refused
    refused = text(
        client.post(
            f"/performance/measures/{measure.id}/targets/new",
            data={"start": "2026/27", "end": "2028/29", "value": "80"},
        )
    )
    assert "This target overlaps the target for 2024/25 to 2026/27" in refused
    refused = text(
        client.post(
            f"/performance/measures/{measure.id}/targets/new",
            data={"start": "2029/30", "end": "2027/28", "value": "80"},
        )
    )
    assert "The last period (2027/28) is before the first (2029/30)" in refused
    assert count(MeasureFigure) == 5
    response = client.post(
        f"/performance/measures/{measure.id}/targets/new",
        data={"start": "2027/28", "end": "2029/30", "value": "80", "note": "Next plan"},
    )
    assert response.status_code == 302
    target = db.session.scalar(select(MeasureFigure).where(MeasureFigure.start == date(2027, 4, 1)))
    assert target.end_on == date(2030, 3, 31) and target.value == Decimal("80")
    page = text(client.get(f"/performance/figures/{target.id}/edit"))
    assert 'value="2027/28"' in page and 'value="2029/30"' in page
    # Changing a target may keep its own span.
    response = client.post(
        f"/performance/figures/{target.id}/edit",
        data={"start": "2027/28", "end": "2028/29", "value": "78"},
    )
    assert response.status_code == 302
    assert db.session.get(MeasureFigure, target.id).end_on == date(2029, 3, 31)


def test_benchmarks_added_changed_and_removed(client, login, measure):
    login("hr")
    response = client.post(
        f"/performance/measures/{measure.id}/benchmarks/new",
        data={"comparator": "england", "period": "2023/24", "value": "68.2"},
    )
    assert response.status_code == 302
    duplicate = text(
        client.post(
            f"/performance/measures/{measure.id}/benchmarks/new",
            data={"comparator": "england", "period": "2023/24", "value": "69"},
        )
    )
    assert "There is already an England average figure for 2023/24" in duplicate
    refused = text(
        client.post(
            f"/performance/measures/{measure.id}/benchmarks/new",
            data={"comparator": "galaxy", "period": "", "value": "69"},
        )
    )
    assert "Choose the comparator" in refused
    benchmark = db.session.scalar(select(MeasureBenchmark))
    response = client.post(
        f"/performance/benchmarks/{benchmark.id}/edit",
        data={"comparator": "region", "period": "", "value": "", "note": "N.A."},
    )
    assert response.status_code == 302
    changed = db.session.get(MeasureBenchmark, benchmark.id)
    assert changed.comparator == "region" and changed.start is None and changed.note == "N.A."
    assert "Remove the regional average figure?" in text(
        client.get(f"/performance/benchmarks/{benchmark.id}/delete")
    )
    client.post(f"/performance/benchmarks/{benchmark.id}/delete")
    assert count(MeasureBenchmark) == 0


# --- the plan, commentary and actions -----------------------------------------------------------------


def test_the_plan_commentary_and_actions(client, login, measure):
    user = login("hr")
    response = client.post(
        f"/performance/measures/{measure.id}/plan",
        data={"story": "Audits found weak plans", "partners": "Health", "what_works": "Coaching"},
    )
    assert response.status_code == 302
    assert db.session.get(Measure, measure.id).partners == "Health"
    refused = text(
        client.post(
            f"/performance/measures/{measure.id}/commentary/new",
            data={"period": "2023-05", "body": "Words"},
        )
    )
    assert "'2023-05' is not a financial year, like 2019/20" in refused
    assert count(MeasureCommentary) == 0
    client.post(
        f"/performance/measures/{measure.id}/commentary/new",
        data={"period": "2023/24", "body": "Better audits"},
    )
    item = db.session.scalar(select(MeasureCommentary))
    assert item.start == date(2023, 4, 1) and item.author_id == user.id
    refused = text(
        client.post(
            f"/performance/measures/{measure.id}/actions/new",
            data={"description": "Coach managers", "owner": "", "due_on": ["1", "9", "2026"]},
        )
    )
    assert "Enter who owns the action" in refused and "Coach managers" in refused
    response = client.post(
        f"/performance/measures/{measure.id}/actions/new",
        data={"description": "Coach managers", "owner": "PSW", "due_on": ["1", "9", "2026"]},
    )
    assert response.status_code == 302
    action = db.session.scalar(select(MeasureAction))
    assert action.due_on == date(2026, 9, 1) and action.status == "open"
    client.post(
        f"/performance/actions/{action.id}/edit",
        data={"description": "Coach all managers", "owner": "PSW", "due_on": ["2", "9", "2026"]},
    )
    client.post(f"/performance/actions/{action.id}/done")
    action = db.session.get(MeasureAction, action.id)
    assert action.description == "Coach all managers" and action.status == "done"
    assert action.done_on == date.today()
    page = text(client.get(f"/performance/measures/{measure.id}"))
    assert "Audits found weak plans" in page and "Coaching" in page and "Done" in page
    client.post(f"/performance/actions/{action.id}/done", data={"reopen": "yes"})
    assert db.session.get(MeasureAction, action.id).status == "open"


# --- uploading figures ---------------------------------------------------------------------------------


def upload(client: Any, content: str, name: str = "figures.csv") -> Any:
    return client.post(
        "/performance/upload",
        data={"file": (io.BytesIO(content.encode()), name)},
        content_type="multipart/form-data",
    )


def confirm(client: Any, page: str) -> Any:
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page) or re.search(
        r'name="token" value="([0-9a-f]{32})"', page
    )
    return client.post("/performance/upload/confirm", data={"token": token.group(1)})


HEADER = "measure,kind,period,from,to,value,note\n"


def test_an_upload_with_bad_rows_lists_them_and_saves_nothing(client, login, measure, calculation):
    make_measure("ld-owned", name="L&D owned", owner_role="ld_officer")
    make_measure("computed", name="Computed", unit="count", source="computed",
                 calculation=calculation)  # fmt: skip
    login("hr")
    content = HEADER + (
        "referrals-rated-good,actual,2024/25,,,71,\n"  # row 2: good
        "referrals-rated-good,actual,2019-05,,,50,\n"  # row 3
        "referrals-rated-good,actual,2025/26,,,104,\n"  # row 4
        "referrals-rated-good,target,,,,80,\n"  # row 5
        "ld-owned,actual,2024/25,,,50,\n"  # row 6
        "computed,actual,2024/25,,,5,\n"  # row 7
        "nobody,actual,2024/25,,,5,\n"  # row 8
    )
    page = text(upload(client, content))
    assert "The file has 6 problems. Nothing has been saved." in page
    assert "Row 3: '2019-05' is not a financial year, like 2019/20" in page
    assert "Row 4: A percentage must be between 0 and 100" in page
    assert "Row 5: A target needs a period (or from and to)" in page
    assert "Row 6: You cannot enter figures for ld-owned" in page
    assert "Row 7: computed is computed from the app's own data" in page
    assert "Row 8: There is no measure with the code 'nobody'" in page
    assert "Row 2" not in page
    assert count(MeasureFigure) == 5


def test_an_upload_previews_replacements_and_saves_all_once_confirmed(client, login, measure):
    login("hr")
    template = client.get("/performance/upload/template.csv")
    rows = list(csv.reader(io.StringIO(template.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["measure", "kind", "period", "from", "to", "value", "note"]
    assert rows[1][:2] == ["referrals-rated-good", "actual"]
    content = HEADER + (
        "referrals-rated-good,actual,2023/24,,,71.5,Revised\n"  # replaces 70
        "referrals-rated-good,actual,2022/23,,,65,\n"  # unchanged
        'referrals-rated-good,actual,2024/25,,,74,=HYPERLINK("http://x")\n'  # new
        "referrals-rated-good,target,,2027/28,2029/30,80,Next plan\n"  # new span
    )
    page = text(upload(client, content))
    assert "The file is ready to save" in page
    assert "Figures replaced" in page and "Row 2" in page and "70.0%" in page
    assert "71.5%" in page
    assert count(MeasureFigure) == 5  # nothing yet
    response = confirm(client, page)
    assert response.status_code == 302
    assert "2 new, 1 replaced, 1 unchanged" in text(client.get(response.headers["Location"]))
    figures = {(f.kind, f.start): f for f in db.session.scalars(select(MeasureFigure)).all()}
    assert len(figures) == 7
    replaced = figures[("actual", date(2023, 4, 1))]
    assert replaced.value == Decimal("71.5") and replaced.origin == "upload"
    assert figures[("actual", date(2024, 4, 1))].note == '=HYPERLINK("http://x")'
    assert figures[("target", date(2027, 4, 1))].end_on == date(2030, 3, 31)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "import", AuditEvent.entity_type == "MeasureFigure"
        )
    )
    assert event is not None and "1 replaced" in event.summary
    # The token is spent.
    again = confirm(client, page)
    assert again.status_code == 302
    assert "expired or was saved already" in text(client.get("/performance/upload"))


def test_an_upload_of_an_unreadable_or_empty_file(client, login, measure):
    login("hr")
    assert "The file must be a CSV or XLSX file" in text(upload(client, "x", name="figures.txt"))
    page = text(upload(client, "measure,kind\nreferrals-rated-good,actual\n"))
    assert "Row 1: The header row lacks the columns value, period (or from and to)" in page
    assert "The file has no rows to upload" in text(upload(client, HEADER))


# --- review: every change checks who asks, needs its CSRF token, and is audited -------------------


def _owned_things(measure: Measure) -> dict[str, int]:
    """A benchmark and an action beside the fixture's figures, and every id a change names."""
    benchmark = MeasureBenchmark(measure_id=measure.id, comparator="england", value=Decimal(60))
    action = MeasureAction(
        measure_id=measure.id, description="Coach managers", owner="PSW", due_on=date(2030, 1, 1)
    )
    db.session.add_all([benchmark, action])
    db.session.commit()
    return {
        "m": measure.id,
        "f": measure.figures[0].id,
        "b": benchmark.id,
        "a": action.id,
    }


#: Every change (path template, form data) on one measure's things.
CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("/performance/measures/{m}/edit", form(code="referrals-rated-good", name="Renamed")),
    ("/performance/measures/{m}/plan", {"story": "Taken over", "partners": "", "what_works": ""}),
    ("/performance/measures/{m}/commentary/new", {"period": "", "body": "Not yours"}),
    (
        "/performance/measures/{m}/actions/new",
        {"description": "Not yours", "owner": "Me", "due_on": ["1", "9", "2030"]},
    ),
    (
        "/performance/actions/{a}/edit",
        {"description": "Changed", "owner": "Me", "due_on": ["1", "9", "2030"]},
    ),
    ("/performance/actions/{a}/done", {}),
    ("/performance/measures/{m}/actuals/new", {"period": "2024/25", "value": "71"}),
    ("/performance/measures/{m}/targets/new", {"start": "2030/31", "end": "", "value": "90"}),
    (
        "/performance/measures/{m}/benchmarks/new",
        {"comparator": "region", "period": "", "value": "50"},
    ),
    ("/performance/figures/{f}/edit", {"period": "2021/22", "value": "1"}),
    ("/performance/figures/{f}/delete", {}),
    ("/performance/benchmarks/{b}/edit", {"comparator": "england", "period": "", "value": "1"}),
    ("/performance/benchmarks/{b}/delete", {}),
]


def _state(measure_id: int) -> tuple[Any, ...]:
    """Everything a refused change could have touched."""
    db.session.expire_all()
    item = db.session.get(Measure, measure_id)
    return (
        item.name,
        item.story,
        sorted((f.kind, f.start, f.value) for f in item.figures),
        sorted((b.comparator, b.value) for b in item.benchmarks),
        sorted((a.description, a.status) for a in item.actions),
        count(MeasureCommentary),
        count(AuditEvent),
    )


@pytest.mark.parametrize("roles", [("senior_leader",), ("ld_officer",), ("supervisor",)])
def test_every_change_is_refused_to_readers_and_other_owners(client, login, measure, roles):
    """Senior leaders read only; an L&D officer cannot change HR's measure, even by posting
    to the address of one of its figures, benchmarks or actions."""
    ids = _owned_things(measure)
    login(*roles)
    before = _state(measure.id)
    for template, data in CHANGES:
        path = template.format(**ids)
        assert client.post(path, data=data).status_code == 403, path
        assert client.get(path).status_code in (403, 405), path
    assert _state(measure.id) == before


def test_each_thing_is_changed_through_its_own_measure_only(client, login, measure):
    """An HR officer who owns one measure still cannot reach an L&D measure's figure,
    benchmark or action by its id; what they own is changed, nothing else."""
    theirs = make_measure(
        "training-rated-good", name="Training rated good", owner_role="ld_officer"
    )
    add_figure(theirs, "actual", *year(2022), Decimal("50"))
    ids = _owned_things(theirs)
    login("hr")
    before = _state(theirs.id)
    for template, data in CHANGES:
        path = template.format(**ids)
        assert client.post(path, data=data).status_code == 403, path
    assert _state(theirs.id) == before
    # Their own measure's figure: changed, and only it.
    own = measure.figures[0]
    response = client.post(
        f"/performance/figures/{own.id}/edit", data={"period": "2021/22", "value": "61"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/performance/measures/{measure.id}#figures")
    assert db.session.get(MeasureFigure, own.id).value == Decimal("61")
    assert _state(theirs.id)[:-1] == before[:-1]  # the audit trail holds the one change


def test_admin_changes_any_measure(client, login, measure):
    ids = _owned_things(measure)
    login("admin")
    for template, data in CHANGES:
        if template.endswith("/delete"):
            continue
        response = client.post(template.format(**ids), data=data)
        assert response.status_code == 302, template
    assert db.session.get(Measure, measure.id).story == "Taken over"


def test_the_upload_refuses_readers_and_another_users_token(client, login, measure):
    login("senior_leader")
    assert upload(client, HEADER + "referrals-rated-good,actual,2024/25,,,71,\n").status_code == 403
    assert client.post("/performance/upload/confirm", data={"token": "0" * 32}).status_code == 403
    client.post("/logout")
    login("hr")
    page = text(upload(client, HEADER + "referrals-rated-good,actual,2024/25,,,71,\n"))
    assert "The file is ready to save" in page
    client.post("/logout")
    # Another HR officer cannot save the file the first one checked.
    login("hr")
    response = confirm(client, page)
    assert response.status_code == 302
    assert "expired or was saved already" in text(client.get("/performance/upload"))
    assert count(MeasureFigure) == 5
    # An L&D officer's file naming HR's measure is refused row by row.
    client.post("/logout")
    login("ld_officer")
    refused = text(upload(client, HEADER + "referrals-rated-good,actual,2024/25,,,71,\n"))
    assert "Row 2: You cannot enter figures for referrals-rated-good" in refused
    assert 'name="token"' not in refused
    assert count(MeasureFigure) == 5


def test_every_change_needs_its_csrf_token(app, client, login, measure, monkeypatch):
    ids = _owned_things(measure)
    login("hr")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = _state(measure.id)
    for template, data in [*CHANGES, ("/performance/measures/new", form())]:
        path = template.format(**ids)
        assert client.post(path, data=data).status_code == 400, path
    assert client.post("/performance/upload/confirm", data={"token": "0" * 32}).status_code == 400
    assert _state(measure.id) == before
    # Every form the pages show carries a token, and a change with it goes through.
    token = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    page = text(client.get(f"/performance/measures/{measure.id}"))
    assert token.search(page)  # the "Mark as done" buttons
    for template, _ in CHANGES:
        if not template.endswith("/done"):
            assert token.search(text(client.get(template.format(**ids)))), template
    assert token.search(text(client.get("/performance/upload")))
    removal = text(client.get(f"/performance/figures/{ids['f']}/delete"))
    response = client.post(
        f"/performance/figures/{ids['f']}/delete",
        data={"csrf_token": token.search(removal).group(1)},
    )
    assert response.status_code == 302 and db.session.get(MeasureFigure, ids["f"]) is None


def _events(entity: str, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
    )


def test_every_change_is_in_the_audit_trail_with_who_made_it(client, login, measure):
    ids = _owned_things(measure)
    user = login("hr")
    client.post(
        f"/performance/measures/{measure.id}/plan",
        data={"story": "Weak plans", "partners": "", "what_works": ""},
    )
    client.post(
        f"/performance/measures/{measure.id}/commentary/new",
        data={"period": "2023/24", "body": "Better audits"},
    )
    client.post(f"/performance/actions/{ids['a']}/done")
    client.post(f"/performance/figures/{ids['f']}/delete")
    client.post(f"/performance/benchmarks/{ids['b']}/delete")
    page = text(upload(client, HEADER + "referrals-rated-good,actual,2024/25,,,71,\n"))
    confirm(client, page)
    (plan,) = _events("Measure", "update")
    assert plan.changes["story"] == ["", "Weak plans"]
    (comment,) = _events("MeasureCommentary", "create")
    assert comment.changes["author_id"] == [None, user.id]
    assert comment.changes["body"] == [None, "Better audits"]
    (done,) = _events("MeasureAction", "update")
    assert done.changes["status"] == ["open", "done"]
    (removed,) = _events("MeasureFigure", "delete")
    assert removed.entity_id == str(ids["f"]) and removed.changes["value"][1] is None
    assert Decimal(removed.changes["value"][0]) == 60  # what it was is kept
    (gone,) = _events("MeasureBenchmark", "delete")
    assert Decimal(gone.changes["value"][0]) == 60 and gone.changes["value"][1] is None
    (uploaded,) = [e for e in _events("MeasureFigure", "create") if e.actor_user_id == user.id]
    assert Decimal(uploaded.changes["value"][1]) == 71
    assert uploaded.changes["origin"] == [None, "upload"]
    (imported,) = _events("MeasureFigure", "import")
    assert "1 new" in imported.summary
    events = [plan, comment, done, removed, gone, uploaded, imported]
    assert {(e.actor_user_id, e.actor_label) for e in events} == {(user.id, user.email)}


# --- review: queries, validation and empty states -----------------------------------------------


def _statements(client: Any, path: str) -> int:
    from sqlalchemy import event

    statements: list[str] = []

    def count_statement(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statement)
    return len(statements)


def _entered_measures(first: int, last: int) -> None:
    for n in range(first, last):
        item = make_measure(
            f"measure-{n:02d}", name=f"Measure {n:02d}", baseline_start=date(2021, 4, 1)
        )
        add_figure(item, "actual", *year(2022), Decimal("50"))
        add_figure(item, "actual", *year(2023), Decimal("60"))
        add_figure(item, "target", year(2022)[0], year(2024)[1], Decimal("70"))
        db.session.add_all(
            [
                MeasureBenchmark(measure=item, comparator="england", value=Decimal(55)),
                MeasureCommentary(measure=item, body="Words"),
                MeasureAction(measure=item, description="Act", owner="Me", due_on=date(2030, 1, 1)),
            ]
        )
        db.session.commit()


def test_the_list_does_not_query_per_measure(client, login, db_session, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 50)
    _entered_measures(0, 3)
    login("senior_leader")
    three = _statements(client, "/performance/")
    _entered_measures(3, 12)
    twelve = _statements(client, "/performance/")
    assert "Showing 1 to 12 of 12 measures" in text(client.get("/performance/"))
    assert twelve == three


def test_the_measure_page_does_not_query_per_commentary(client, login, measure):
    login("senior_leader")

    def comment(n: int) -> None:
        author = builders.make_user("hr", staff=builders.make_staff(builders.make_team(f"T{n}")))
        db.session.add(
            MeasureCommentary(measure_id=measure.id, body=f"Words {n}", author_id=author.id)
        )
        db.session.commit()

    comment(0)
    one = _statements(client, f"/performance/measures/{measure.id}")
    for n in range(1, 6):
        comment(n)
    six = _statements(client, f"/performance/measures/{measure.id}")
    assert six == one
    page = text(client.get(f"/performance/measures/{measure.id}"))
    assert page.index("Words 5") < page.index("Words 0")  # newest first


def test_a_decimal_comma_is_refused_not_read_as_a_thousands_separator(client, login, measure):
    login("hr")
    page = text(
        client.post(
            f"/performance/measures/{measure.id}/actuals/new",
            data={"period": "2024/25", "value": "7,5"},
        )
    )
    assert "The value must be a number written with a point for decimals, like 73.5" in page
    assert 'value="7,5"' in page and 'value="2024/25"' in page
    page = text(client.post("/performance/measures/new", data=form(tolerance="2,5")))
    assert "The tolerance must be a number with a point for decimals, like 5 or 2.5" in page
    assert 'value="2,5"' in page
    page = text(client.post("/performance/measures/new", data=form(tolerance="some")))
    assert "The tolerance must be a number" in page and 'value="some"' in page
    assert count(MeasureFigure) == 5 and count(Measure) == 1


def test_the_plans_long_texts_are_refused_with_their_own_messages(client, login, measure):
    login("hr")
    page = text(
        client.post(
            f"/performance/measures/{measure.id}/plan",
            data={"story": "x" * 10_001, "partners": "y" * 10_001, "what_works": "Coaching"},
        )
    )
    assert "The story behind the curve must be 10,000 characters or fewer" in page
    assert "Partners must be 10,000 characters or fewer" in page
    assert "govuk-error-summary" in page and "<title>Error: " in page
    assert ">Coaching</textarea>" in page
    assert db.session.get(Measure, measure.id).story == ""


def test_the_list_says_when_there_are_no_measures_at_all(client, login, db_session):
    login("hr")
    page = text(client.get("/performance/"))
    assert "There are no measures in use yet." in page and "No measures match" not in page
    assert "<table" not in page
    assert "No measures match these filters." in text(client.get("/performance/?q=nothing"))


def test_removals_are_confirmed_first_with_a_way_back(client, login, measure):
    ids = _owned_things(measure)
    login("hr")
    for path in (
        f"/performance/figures/{ids['f']}/delete",
        f"/performance/benchmarks/{ids['b']}/delete",
    ):
        page = text(client.get(path))
        assert "<title>Remove the " in page and "Remove it" in page
        assert f'href="/performance/measures/{measure.id}"' in page  # back and cancel
    assert "Remove the England average figure?" in text(
        client.get(f"/performance/benchmarks/{ids['b']}/delete")
    )
    assert count(MeasureFigure) == 5 and count(MeasureBenchmark) == 1


def test_a_unit_that_cannot_hold_the_figures_is_refused_beside_the_unit(client, login, db_session):
    counted = make_measure("referrals", name="Referrals", unit="count", decimals=0)
    add_figure(counted, "actual", *year(2023), Decimal("250"))
    login("hr")
    page = text(
        client.post(
            f"/performance/measures/{counted.id}/edit",
            data=form(name="Referrals made", code="referrals", unit="percent"),
        )
    )
    message = "The unit cannot change to percentage: the actual for 2023/24 is 250"
    assert message in page
    beside = page[page.index('id="unit-error"') :]
    assert beside.index(message) < beside.index("</p>")  # attached to the unit field
    assert 'href="#unit"' in page  # and linked from the error summary
    assert 'value="Referrals made"' in page
    assert db.session.get(Measure, counted.id).unit == "count"
