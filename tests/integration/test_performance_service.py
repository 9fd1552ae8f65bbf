"""The performance service against the database: reading typed and uploaded values, the
rules a measure and its figures keep, and the upload of figures (every problem by row
number, nothing saved when any row is bad, replacement of figures held already)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import AuditEvent
from workforce.models.performance import Measure, MeasureFigure
from workforce.services import ServiceError
from workforce.services import performance as service
from workforce.services.measure_calculations import CALCULATIONS, Calculation
from workforce.services.tabular import read_table

CALCULATION = "test-only-service-count"
HEADER = "measure,kind,period,from,to,value,note\n"


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


def figures() -> list[MeasureFigure]:
    return list(db.session.scalars(select(MeasureFigure).order_by(MeasureFigure.start)))


def plan_for(content: str, user: Any) -> service.FigureUploadPlan:
    return service.plan_figure_upload(read_table(content.encode(), "figures.csv"), user)


@pytest.fixture
def calculation() -> Iterator[str]:
    CALCULATIONS[CALCULATION] = Calculation(
        CALCULATION, "Test count", "For tests.", "count", lambda start, end, arg: Decimal(3)
    )
    yield CALCULATION
    CALCULATIONS.pop(CALCULATION, None)


@pytest.fixture
def hr(db_session: Any) -> Any:
    return builders.make_user("hr")


# --- values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("73.5", "percent", Decimal("73.5")),
        ("73.5%", "percent", Decimal("73.5")),
        ("0", "percent", Decimal("0")),
        ("100", "percent", Decimal("100")),
        ("1,234", "count", Decimal("1234")),
        ("1,234,567.25", "number", Decimal("1234567.25")),
        ("-12,345", "number", Decimal("-12345")),
        ("  ", "count", None),
        (None, "count", None),
        ("-2.5", "number", Decimal("-2.5")),
        ("45.25", "rate_10k", Decimal("45.25")),
    ],
)
def test_values_read(raw, unit, expected):
    assert service.parse_value(raw, unit) == expected


@pytest.mark.parametrize(
    ("raw", "unit", "message"),
    [
        ("100.1", "percent", "A percentage must be between 0 and 100"),
        ("-0.5", "percent", "A percentage must be between 0 and 100"),
        ("-1", "count", "A count cannot be negative"),
        ("1.5", "count", "A count must be a whole number"),
        ("-3", "days", "A number of days cannot be negative"),
        ("-3", "rate_10k", "A rate cannot be negative"),
        ("=SUM(A1:A3)", "count", "The value must be a number, like 12, not '=SUM(A1:A3)'"),
        ("@A1", "number", "must be a number"),
        ("NaN", "number", "must be a number"),
        ("Infinity", "number", "must be a number"),
        ("1.23456", "number", "no more than 4 decimal places"),
        ("12345678901", "number", "too large"),
        # A decimal comma is refused, never read as a thousands separator (7,5 is not 75).
        ("7,5", "percent", "must be a number written with a point for decimals, like 73.5"),
        ("1,23", "count", "with a point for decimals, like 12, not '1,23'"),
        ("12,34,567", "number", "with a point for decimals"),
        (",5", "number", "with a point for decimals"),
    ],
)
def test_values_refused(raw, unit, message):
    with pytest.raises(ServiceError) as refused:
        service.parse_value(raw, unit)
    assert message in refused.value.message


# --- measures ----------------------------------------------------------------------------------------


def details(**values: Any) -> service.MeasureDetails:
    data: dict[str, Any] = {
        "name": "Turnover",
        "code": "turnover",
        "unit": "percent",
        "polarity": "lower",
        "frequency": "financial_year",
        "rba_question": "better_off",
        "source": "entered",
        "owner_role": "hr",
    }
    data.update(values)
    return service.MeasureDetails(**data)


def test_owner_roles_follow_the_users_roles(db_session):
    assert service.owner_roles_for(builders.make_user("hr")) == ["hr"]
    assert service.owner_roles_for(builders.make_user("hr", "ld_officer")) == ["hr", "ld_officer"]
    assert service.owner_roles_for(builders.make_user("admin")) == ["hr", "ld_officer", "admin"]
    assert service.owner_roles_for(builders.make_user("senior_leader")) == []
    leader = builders.make_user("senior_leader")
    measure = make_measure()
    assert not service.can_edit(leader, measure) and not service.can_create(leader)
    assert not service.can_edit(builders.make_user("ld_officer"), measure)


def test_a_measure_is_saved_and_its_rules_kept(db_session, calculation):
    saved = service.save_measure(
        None,
        details(baseline_period="2015/16", baseline_value="12.5", baseline_note="May 2015"),
        owner_roles=["hr"],
    )
    db.session.commit()
    assert saved.code == "turnover" and saved.baseline_start == date(2015, 4, 1)
    with pytest.raises(ServiceError) as refused:
        service.save_measure(
            None, details(code="other", owner_role="ld_officer"), owner_roles=["hr"]
        )
    assert refused.value.field == "owner_role"
    with pytest.raises(ServiceError) as refused:
        service.save_measure(None, details(), owner_roles=["hr"])
    assert "Another measure has the code turnover" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        service.save_measure(
            None,
            details(
                code="other",
                source="computed",
                calculation=calculation,
                unit="count",
                calculation_argument="x",
            ),  # fmt: skip
            owner_roles=["hr"],
        )
    assert "takes no argument" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        service.save_measure(
            None, details(code="other", calculation=calculation), owner_roles=["hr"]
        )
    assert "An entered measure has no calculation" in refused.value.message
    computed = service.save_measure(
        None,
        details(code="counted", source="computed", calculation=calculation, unit="count"),
        owner_roles=["hr"],
    )
    assert computed.computed and computed.calculation == calculation


def test_a_frequency_does_not_change_under_figures_and_actuals_are_never_computed(
    db_session, calculation
):
    measure = make_measure()
    service.save_actual(measure, "2023/24", "70")
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        service.save_measure(
            measure, details(code=measure.code, frequency="monthly"), owner_roles=["hr"]
        )
    assert refused.value.field == "frequency"
    with pytest.raises(ServiceError) as refused:
        service.save_measure(
            measure,
            details(code=measure.code, source="computed", calculation=calculation, unit="count"),
            owner_roles=["hr"],
        )
    assert "delete them before making it computed" in refused.value.message
    computed = make_measure("counted", unit="count", source="computed", calculation=calculation)
    with pytest.raises(ServiceError) as refused:
        service.save_actual(computed, "2023/24", "5")
    assert "computed from the app's own data" in refused.value.message
    target = service.save_target(computed, "2023/24", "", "5")
    assert target.kind == "target"


def test_targets_spans_and_overlaps(db_session):
    measure = make_measure()
    plan = service.save_target(measure, "2021/22", "2023/24", "72")
    assert (plan.start, plan.end_on) == (date(2021, 4, 1), date(2024, 3, 31))
    with pytest.raises(ServiceError) as refused:
        service.save_target(measure, "2023-24", "", "75")
    assert "overlaps the target for 2021/22 to 2023/24" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        service.save_target(measure, "", "", "75")
    assert refused.value.message == (
        "Enter the period the target is for: a financial year, like 2019/20"
    )
    service.save_target(measure, "2021/22", "2022/23", "70", figure=plan)
    assert plan.end_on == date(2023, 3, 31)
    service.save_target(measure, "2023/24", None, "75")
    assert len([f for f in measure.figures if f.kind == "target"]) == 2


# --- the upload ---------------------------------------------------------------------------------------


def test_an_upload_lists_every_problem_by_row_and_saves_nothing(hr, calculation):
    measure = make_measure()
    make_measure("monthly-measure", name="Monthly", frequency="monthly", unit="count")
    make_measure("ld-owned", name="L&D owned", owner_role="ld_officer")
    make_measure("counted", name="Counted", unit="count", source="computed",
                 calculation=calculation)  # fmt: skip
    content = HEADER + (
        "referrals-rated-good,actual,2023/24,,,70,\n"  # 2: good
        "referrals-rated-good,actual,2019-05,,,70,\n"  # 3: a month for a year measure
        "referrals-rated-good,actual,2022/23,,,101,\n"  # 4: over 100%
        "monthly-measure,actual,2024-03,,,-2,\n"  # 5: negative count
        "referrals-rated-good,target,,,,80,\n"  # 6: target without a period
        "referrals-rated-good,actual,2023/24,,,71,\n"  # 7: repeats row 2
        "ld-owned,actual,2023/24,,,50,\n"  # 8: not the user's
        "counted,actual,2023/24,,,5,\n"  # 9: computed actual
        "counted,target,2023/24,,,5,\n"  # 10: computed target: fine
        "referrals-rated-good,estimate,2023/24,,,5,\n"  # 11: unknown kind
        "referrals-rated-good,actual,,2023/24,,5,\n"  # 12: actual with from
        "referrals-rated-good,target,2024/25,2024/25,2025/26,5,\n"  # 13: both
        "referrals-rated-good,target,,2026/27,2025/26,5,\n"  # 14: to before from
        "referrals-rated-good,actual,2021/22,,,=1+1,\n"  # 15: a formula
        "referrals-rated-good,actual,2020/21,,,,\n"  # 16: neither value nor note
        ",actual,2020/21,,,5,\n"  # 17: no code
    )
    plan = plan_for(content, hr)
    assert plan.messages() == [
        "Row 3: '2019-05' is not a financial year, like 2019/20",
        "Row 4: A percentage must be between 0 and 100 (73.5 means 73.5%), so the value 101 "
        "cannot be right",
        "Row 5: A count cannot be negative, so the value -2 cannot be right",
        "Row 6: A target needs a period (or from and to): a financial year, like 2019/20",
        "Row 7: Row 2 already gives the actual of referrals-rated-good for 2023/24",
        "Row 8: You cannot enter figures for ld-owned: it is owned by Learning and development",
        "Row 9: counted is computed from the app's own data, so its actuals cannot be uploaded "
        "(its targets can)",
        "Row 11: The kind must be actual or target, not 'estimate'",
        "Row 12: An actual is for one period: give it in the period column, not from and to",
        "Row 13: Give the target's period, or from and to for a span, not both",
        "Row 14: The to period (2025/26) is before the from (2026/27)",
        "Row 15: The value must be a number, like 73.5, not '=1+1'",
        "Row 16: Give the value, or a note saying why there is none",
        "Row 17: Give the measure's code",
    ]
    assert plan.figures == []
    with pytest.raises(ValueError, match="cannot be applied"):
        service.apply_figure_upload(plan, "test")
    assert figures() == [] and measure.figures == []


def test_an_upload_refuses_overlapping_targets_in_the_file_and_with_those_held(hr):
    measure = make_measure()
    service.save_target(measure, "2021/22", "2023/24", "72")
    db.session.commit()
    content = HEADER + (
        "referrals-rated-good,target,,2024/25,2026/27,75,\n"  # 2: fine
        "referrals-rated-good,target,2025/26,,,76,\n"  # 3: inside row 2's span
        "referrals-rated-good,target,2023/24,,,74,\n"  # 4: inside the held 2021/22 to 2023/24
    )
    plan = plan_for(content, hr)
    assert plan.messages() == [
        "Row 3: This target for 2025/26 overlaps the target in row 2 (2024/25 to 2026/27)",
        "Row 4: This target for 2023/24 overlaps the target held for 2021/22 to 2023/24: "
        "change or delete that one first, or give it in the file with the same first period",
    ]
    # The held target is replaced when the file gives one with the same first period.
    plan = plan_for(HEADER + "referrals-rated-good,target,,2021/22,2022/23,70,\n"
                    "referrals-rated-good,target,2023/24,,,74,\n", hr)  # fmt: skip
    assert plan.errors == [] and len(plan.replaced) == 1 and plan.new == 1


def test_an_upload_replaces_figures_held_and_is_audited(hr):
    measure = make_measure()
    service.save_actual(measure, "2022/23", "65")
    service.save_actual(measure, "2023/24", "70")
    db.session.commit()
    content = HEADER + (
        "Referrals-Rated-Good,Actual,2023-24,,,71.5,Revised\n"
        "referrals-rated-good,actual,2022/23,,,65.0,\n"
        "referrals-rated-good,actual,2024/25,,,,N.A.\n"
        "referrals-rated-good,target,2024/25,,,75%,\n"
    )
    plan = plan_for(content, hr)
    assert plan.errors == []
    assert (plan.new, len(plan.replaced), plan.unchanged) == (2, 1, 1)
    assert plan.replaced[0].row == 2 and plan.replaced[0].held_value == Decimal("70")
    assert plan.describe() == "4 rows for 1 measure: 2 new, 1 replaced, 1 unchanged."
    written = service.apply_figure_upload(plan, "test upload")
    db.session.commit()
    assert written == 3
    held = {(f.kind, f.start): f for f in figures()}
    assert held[("actual", date(2023, 4, 1))].value == Decimal("71.5")
    assert held[("actual", date(2023, 4, 1))].origin == "upload"
    assert held[("actual", date(2022, 4, 1))].origin == "entered"  # unchanged, untouched
    assert held[("actual", date(2024, 4, 1))].value is None
    assert held[("actual", date(2024, 4, 1))].note == "N.A."
    assert held[("target", date(2024, 4, 1))].value == Decimal("75")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert event.entity_type == "MeasureFigure" and event.changes["written"] == 3
    updates = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type == "MeasureFigure", AuditEvent.action == "update")
    )
    assert updates == 1
    # The same file again changes nothing.
    again = plan_for(content, hr)
    assert (again.new, len(again.replaced), again.unchanged) == (0, 0, 4)


def test_an_upload_header_must_name_the_columns(hr):
    make_measure()
    assert plan_for(
        "measure,kind,period\nreferrals-rated-good,actual,2023/24\n", hr
    ).messages() == ["Row 1: The header row lacks the column value: use the template's header row"]
    assert (
        plan_for(HEADER.strip() + ",colour\n", hr)
        .messages()[0]
        .startswith("Row 1: The header row has column this upload does not read: colour")
    )
    assert plan_for(HEADER, hr).messages() == ["Row 2: The file has no rows to upload"]


def test_the_template_offers_a_measure_the_user_owns(hr):
    generic = service.template_frame(hr)
    assert list(generic.columns) == list(service.UPLOAD_COLUMNS)
    assert generic.iloc[0]["measure"] == "referrals-rated-good"  # the made-up example
    make_measure("monthly-measure", name="Monthly", frequency="monthly", unit="count")
    frame = service.template_frame(hr)
    assert set(frame["measure"]) == {"monthly-measure"}
    assert list(frame["kind"]) == ["actual", "target", "target"]
    # The template's own rows read back as good once values are filled in.
    frame["value"] = "3"
    plan = service.plan_figure_upload(frame, hr)
    assert plan.errors == [] and plan.new == 3


def test_an_xlsx_upload_reads_numbers_and_months_turned_into_dates(hr, calculation):
    import io
    from datetime import datetime

    from openpyxl import Workbook

    make_measure("monthly-measure", name="Monthly", frequency="monthly", unit="count")
    make_measure("counted", name="Counted", unit="count", source="computed",
                 calculation=calculation)  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.append(["measure", "kind", "period", "from", "to", "value", "note"])
    sheet.append(["monthly-measure", "actual", datetime(2016, 3, 1), None, None, 12, None])
    sheet.append(["monthly-measure", "target", None, "2016-04", "March 2017", 15.0, None])
    sheet.append(["counted", "target", "2024/25", None, None, 40, None])
    sheet["G4"].value, sheet["G4"].data_type = '=HYPERLINK("x")', "s"  # text, not a formula
    buffer = io.BytesIO()
    book.save(buffer)
    plan = service.plan_figure_upload(read_table(buffer.getvalue(), "figures.xlsx"), hr)
    assert plan.errors == []
    service.apply_figure_upload(plan, "test")
    db.session.commit()
    held = {(f.measure.code, f.kind, f.start): f for f in figures()}
    assert held[("monthly-measure", "actual", date(2016, 3, 1))].value == Decimal(12)
    span = held[("monthly-measure", "target", date(2016, 4, 1))]
    assert span.end_on == date(2017, 3, 31) and span.value == Decimal(15)
    # A computed measure's target is taken, and a formula-looking note is kept as text.
    assert held[("counted", "target", date(2024, 4, 1))].note == '=HYPERLINK("x")'


def test_a_unit_does_not_change_under_figures_it_cannot_hold(db_session):
    measure = make_measure("referrals", unit="count", polarity="higher")
    service.save_actual(measure, "2023/24", "250")
    service.save_benchmark(measure, "england", "", "65")
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        service.save_measure(measure, details(code="referrals", unit="percent"), owner_roles=["hr"])
    assert refused.value.field == "unit"
    assert refused.value.message == (
        "The unit cannot change to percentage: the actual for 2023/24 is 250, which that unit "
        "cannot hold. Change or remove that figure first"
    )
    db.session.rollback()
    # Figures the new unit can hold do not stop the change.
    changed = service.save_measure(
        measure, details(code="referrals", unit="number"), owner_roles=["hr"]
    )
    assert changed.unit == "number"
