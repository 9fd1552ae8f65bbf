"""The report object, its parameters, and its CSV, XLSX and JSON renderings (no database)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from workforce.reports.base import (
    CENSUS_YEAR,
    REPORTING_YEAR,
    Chart,
    Column,
    ParameterError,
    Report,
    ReportDefinition,
    Table,
    parse_parameters,
)
from workforce.reports.render import csv_chunks, filename, json_document, to_csv, to_json, to_xlsx

COLUMNS = [
    Column("name", "Name"),
    Column("count", "Count", "integer"),
    Column("rate", "Rate", "percent"),
    Column("cost", "Cost", "money"),
    Column("mean", "Mean", "decimal"),
    Column("day", "Day", "date"),
]


def sample() -> Report:
    return Report(
        name="sample",
        title="Sample report",
        parameters={"from": "2025-04-01", "to": "2026-03-31", "team": None},
        columns=COLUMNS,
        rows=[
            {
                "name": '=HYPERLINK("http://x")',
                "count": 1200,
                "rate": Decimal("0.7500"),
                "cost": Decimal("150.00"),
                "mean": Decimal("3.67"),
                "day": date(2025, 5, 1),
                "_hidden": 99,
            },
            {"name": "Ada", "count": 0, "rate": None, "cost": None, "mean": None, "day": None},
            {
                "name": "-1+2",
                "count": 3,
                "rate": Decimal("1"),
                "cost": Decimal("0"),
                "mean": 1,
                "day": None,
            },
        ],
        summary={"count": 1203, "rate": Decimal("0.8")},
        figures=[Column("count", "Count", "integer"), Column("rate", "Rate", "percent")],
        sections=[
            Table(
                "by_thing",
                "By thing",
                [Column("thing", "Thing"), Column("n", "N", "integer")],
                [{"thing": "@A", "n": 2}],
            )
        ],
        chart=Chart("A chart", "name", ("count",)),
        notes=["+Note that starts like a formula"],
        generated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )


# --- JSON ------------------------------------------------------------------------------


def test_json_has_exactly_the_documented_keys_and_shapes():
    document = json.loads(to_json(sample()))
    assert list(document) == ["report", "parameters", "generated_at", "columns", "rows", "summary"]
    assert document["report"] == "sample"
    assert document["parameters"] == {"from": "2025-04-01", "to": "2026-03-31", "team": None}
    assert document["generated_at"] == "2026-01-02T03:04:05+00:00"
    assert document["columns"][0] == {"key": "name", "label": "Name", "type": "text"}
    assert [c["type"] for c in document["columns"]] == [
        "text",
        "integer",
        "percent",
        "money",
        "decimal",
        "date",
    ]
    assert document["rows"][0] == {
        "name": '=HYPERLINK("http://x")',
        "count": 1200,
        "rate": 0.75,
        "cost": 150.0,
        "mean": 3.67,
        "day": "2025-05-01",
    }
    assert document["rows"][1]["rate"] is None
    assert "_hidden" not in document["rows"][0]


def test_json_summary_holds_the_figures_and_each_extra_table():
    summary = json_document(sample())["summary"]
    assert summary == {"count": 1203, "rate": 0.8, "by_thing": [{"thing": "@A", "n": 2}]}


def test_column_descriptions_appear_only_when_given():
    assert Column("a", "A", "integer", "What it is").as_dict() == {
        "key": "a",
        "label": "A",
        "type": "integer",
        "description": "What it is",
    }
    with pytest.raises(ValueError, match="kind"):
        Column("a", "A", "currency")


# --- CSV -------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_the_labels_then_one_line_per_row_with_formulas_neutralised():
    rows = read_csv(to_csv(sample()))
    assert rows[0] == ["Name", "Count", "Rate", "Cost", "Mean", "Day"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', "1200", "0.7500", "150.00", "3.67", "2025-05-01"]
    assert rows[2] == ["Ada", "0", "", "", "", ""]
    assert rows[3][0] == "'-1+2"
    assert len(rows) == 4


def test_csv_neutralises_headers_too():
    report = sample()
    report.columns = [Column("name", "=Name")]
    assert read_csv(to_csv(report))[0] == ["'=Name"]


def test_csv_is_produced_row_by_row_from_an_iterator():
    consumed = []

    def rows():
        for n in range(3):
            consumed.append(n)
            yield {"name": f"row {n}", "count": n}
        raise AssertionError("read past the rows asked for")

    report = sample()
    report.rows = rows()
    chunks = csv_chunks(report)
    assert next(chunks).startswith("\ufeffName,Count")
    assert next(chunks) == "row 0,0,,,,\r\n"
    assert consumed == [0]


# --- XLSX ------------------------------------------------------------------------------


def workbook(report: Report) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))


def test_xlsx_first_sheet_has_a_bold_frozen_header_and_number_formats():
    book = workbook(sample())
    assert book.sheetnames == ["Sample report", "By thing", "About this report"]
    sheet = book["Sample report"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["Name", "Count", "Rate", "Cost", "Mean", "Day"]
    assert all(c.font.bold for c in sheet[1])
    assert not any(c.font.bold for c in sheet[2])
    name, count, rate, cost, mean, day = sheet[2]
    assert name.value == '\'=HYPERLINK("http://x")'
    assert name.data_type == "s"
    assert (count.value, count.number_format) == (1200, "#,##0")
    assert (rate.value, rate.number_format) == (0.75, "0.0%")
    assert (cost.value, cost.number_format) == (150, '"£"#,##0.00')
    assert (mean.value, mean.number_format) == (3.67, "#,##0.00")
    assert day.value.date() == date(2025, 5, 1)
    assert day.number_format == "yyyy-mm-dd"
    assert [c.value for c in sheet[3]] == ["Ada", 0, None, None, None, None]
    assert sheet["A4"].value == "'-1+2"
    cells = [c for line in sheet.iter_rows() for c in line]
    assert all(c.data_type != "f" for c in cells)


def test_xlsx_columns_have_widths():
    sheet = workbook(sample())["Sample report"]
    assert sheet.column_dimensions["A"].width == len('=HYPERLINK("http://x")') + 2
    assert sheet.column_dimensions["B"].width == 12  # at least 10, plus 2


def test_xlsx_extra_tables_and_about_sheet():
    book = workbook(sample())
    section = book["By thing"]
    assert [c.value for c in section[1]] == ["Thing", "N"]
    assert section["A2"].value == "'@A"
    assert section.freeze_panes == "A2"
    about = {row[0].value: row[1] for row in book["About this report"].iter_rows(min_row=2)}
    assert about["Report"].value == "Sample report"
    assert about["Parameter: from"].value == "2025-04-01"
    assert "Parameter: team" not in about  # not set
    assert about["Count"].value == 1203
    assert about["Rate"].value == 0.8
    assert about["Rate"].number_format == "0.0%"
    assert about["Note"].value == "'+Note that starts like a formula"


def test_download_names_carry_the_period_or_date():
    report = sample()
    assert filename(report, "xlsx") == "sample-2025-04-01-to-2026-03-31.xlsx"
    report.parameters = {"on": "2026-01-31"}
    assert filename(report, "csv") == "sample-2026-01-31.csv"
    report.parameters = {}
    assert filename(report, "json") == "sample-2026-01-02.json"


# --- parameters ------------------------------------------------------------------------


def definition(**overrides) -> ReportDefinition:
    values = {
        "name": "demo",
        "title": "Demo",
        "description": "A demo",
        "roles": ("hr",),
        "build": lambda params, viewer: sample(),
        "accepts": frozenset({"period", "team", "by"}),
        "by_choices": (("course", "Course"), ("team", "Team")),
    }
    values.update(overrides)
    return ReportDefinition(**values)


TEAMS = {"7": (7, "Alpha"), "Alpha": (7, "Alpha")}
TODAY = date(2026, 2, 10)


def parse(raw, **kwargs):
    return parse_parameters(
        kwargs.pop("spec", definition()),
        raw,
        today=kwargs.pop("today", TODAY),
        team_lookup=TEAMS.get,
        **kwargs,
    )


def messages(raw, **kwargs) -> dict[str, str]:
    with pytest.raises(ParameterError) as caught:
        parse(raw, **kwargs)
    return {p.field: p.message for p in caught.value.problems}


def test_year_is_the_reporting_year_from_april_to_march():
    params = parse({"year": "2025"})
    assert (params.start, params.end, params.year) == (date(2025, 4, 1), date(2026, 3, 31), 2025)


def test_no_period_means_the_reporting_year_containing_today():
    assert (parse({}).start, parse({}).end) == (date(2025, 4, 1), date(2026, 3, 31))
    april = parse({}, today=date(2026, 4, 1))
    assert (april.start, april.year) == (date(2026, 4, 1), 2026)


def test_census_years_run_october_to_september_named_by_their_end():
    assert CENSUS_YEAR.bounds(2024) == (date(2023, 10, 1), date(2024, 9, 30))
    assert CENSUS_YEAR.year_of(date(2023, 10, 1)) == 2024
    assert CENSUS_YEAR.year_of(date(2024, 9, 30)) == 2024
    assert REPORTING_YEAR.label(2025) == "2025 to 2026"
    params = parse({"year": "2024"}, spec=definition(year=CENSUS_YEAR))
    assert (params.start, params.end) == (date(2023, 10, 1), date(2024, 9, 30))


def test_dates_in_iso_or_day_month_year():
    params = parse({"from": "2025-01-01", "to": "31/3/2025"})
    assert (params.start, params.end, params.year) == (date(2025, 1, 1), date(2025, 3, 31), None)
    same_day = parse({"from": "2025-01-01", "to": "2025-01-01"})
    assert same_day.start == same_day.end


def test_period_problems_are_named_by_field():
    assert messages({"from": "2025-05-01", "to": "2025-04-01"}) == {
        "to": "The end date must be on or after the start date"
    }
    assert messages({"from": "2025-02-30", "to": "banana"}) == {
        "from": "The start date must be a real date, like 2025-04-01",
        "to": "The end date must be a real date, like 2025-04-01",
    }
    assert messages({"from": "2025-01-01"}) == {"to": "Enter an end date as well as a start date"}
    assert messages({"year": "2025", "to": "2025-06-01"}) == {
        "year": "Choose a reporting year or dates, not both"
    }
    assert messages({"year": "25"}) == {"year": "The year must be four digits, like 2025"}


def test_team_by_id_or_name_and_unknown_teams():
    assert (parse({"team": "7"}).team_id, parse({"team": "Alpha"}).team_name) == (7, "Alpha")
    assert messages({"team": "99"}) == {"team": "There is no team '99'"}


def test_grouping_defaults_to_the_first_choice_and_must_be_known():
    assert parse({}).by == "course"
    assert parse({"by": "team"}).by == "team"
    assert messages({"by": "colour"}) == {"by": "Group by one of: course, team"}


def test_on_and_window_for_snapshot_reports():
    spec = definition(accepts=frozenset({"on", "window"}), by_choices=())
    params = parse({}, spec=spec, default_window=45)
    assert (params.on, params.window_days, params.start) == (TODAY, 45, None)
    assert parse({"on": "2025-12-01", "window": "0"}, spec=spec).window_days == 0
    assert messages({"window": "-3", "on": "tomorrow"}, spec=spec) == {
        "on": "The date must be a real date, like 2025-04-01",
        "window": "The warning window must be a whole number of days from 0 to 3650",
    }


def test_strict_parsing_refuses_parameters_a_report_does_not_take():
    spec = definition(accepts=frozenset({"on"}), by_choices=())
    assert parse({"year": "2025"}, spec=spec).on == TODAY  # a query string may carry others
    assert messages({"year": "2025"}, spec=spec, strict=True) == {
        "year": "The demo report does not take --year"
    }


def test_parameters_as_json_and_as_a_query_string():
    params = parse({"year": "2025", "team": "7"})
    assert params.as_dict(definition().accepts) == {
        "year": 2025,
        "from": "2025-04-01",
        "to": "2026-03-31",
        "team": 7,
        "team_name": "Alpha",
        "by": "course",
    }
    assert params.query_args() == {"year": "2025", "team": "7", "by": "course"}
    dated = parse({"from": "2025-01-01", "to": "2025-02-01"})
    assert dated.query_args() == {"from": "2025-01-01", "to": "2025-02-01", "by": "course"}


def test_a_definition_checks_its_parameters_and_roles():
    with pytest.raises(ValueError, match="unknown parameters"):
        definition(accepts=frozenset({"colour"}))
    with pytest.raises(ValueError, match="by_choices"):
        definition(by_choices=())

    class Viewer:
        def __init__(self, *roles):
            self.roles = roles

        def has_role(self, *wanted):
            return "admin" in self.roles or bool(set(wanted) & set(self.roles))

    spec = definition()
    assert spec.visible_to(Viewer("hr"))
    assert spec.visible_to(Viewer("admin"))
    assert not spec.visible_to(Viewer("practitioner"))
    assert spec.visible_to(None)  # the command line


def test_the_census_year_defaults_to_the_latest_one_ended() -> None:
    # 22 November 2026 is in the census year ending 30 September 2027, under way.
    assert CENSUS_YEAR.year_of(date(2026, 11, 22)) == 2027
    assert CENSUS_YEAR.default_year(date(2026, 11, 22)) == 2026
    # On 30 September the year is not over until the day is.
    assert CENSUS_YEAR.default_year(date(2026, 9, 30)) == 2025
    assert CENSUS_YEAR.default_year(date(2026, 10, 1)) == 2026
    # The reporting year keeps the year under way.
    assert REPORTING_YEAR.default_year(date(2026, 11, 22)) == 2026
