"""The report object every report builder returns, and the parameters every report takes.

A report is one object rendered four ways: the page (a chart plus the same figures in a
table), CSV, XLSX and JSON. It has a name, the parameters it was run with, typed columns,
rows (one mapping per row, keyed by column), a summary of scalar figures, optional extra
tables (``sections``, which go into the JSON summary and onto their own XLSX sheets), and a
chart drawn from the rows or from one section.

Parameters come from a query string or from the command line as text, and are checked in
one place (``parse_parameters``). Every report declares which of them it takes:

- ``period``: ``year`` (a reporting year, whose months the report's ``YearSpec`` defines)
  or ``from`` and ``to`` (ISO dates, both inclusive). Neither means the year containing
  today (for the census year, the latest one already ended).
- ``team``: a team's number (id); the command line also accepts its exact name.
- ``on``: the date a snapshot is taken (default today).
- ``window``: a warning window in days.
- ``by``: what each row is (one of the report's ``by_choices``; the first is the default).
- ``suppress``: "yes" to show counts under 5 as "<5" (for wider circulation); default no.
- ``scorecard``: a scorecard's code or exact name (default: the first by name).
- ``strategy``: a strategy's code or exact name, whose evaluation model the report shows
  (default: the first by name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from workforce.models._base import utcnow

if TYPE_CHECKING:
    from workforce.models import User

#: Kinds of column: how a value is shown on the page and formatted in a spreadsheet.
#: Percent values are proportions between 0 and 1 (0.75 is 75%) in every format.
COLUMN_KINDS = ("text", "integer", "decimal", "money", "percent", "date")
#: Parameters a report may take.
PARAMETER_NAMES = ("period", "team", "on", "window", "by", "suppress", "scorecard", "strategy")
#: The raw field names each parameter reads.
PARAMETER_FIELDS: dict[str, tuple[str, ...]] = {
    "period": ("year", "from", "to"),
    "team": ("team",),
    "on": ("on",),
    "window": ("window",),
    "by": ("by",),
    "suppress": ("suppress",),
    "scorecard": ("scorecard",),
    "strategy": ("strategy",),
}
#: Parameters naming a record by code or exact name, with what the record is called.
NAMED_RECORDS: dict[str, str] = {"scorecard": "scorecard", "strategy": "strategy"}
MAX_WINDOW_DAYS = 3650


@dataclass(frozen=True)
class Column:
    """One column of a report table."""

    key: str
    label: str
    kind: str = "text"
    #: What the figure means, shown under the table and in the JSON columns.
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def as_dict(self) -> dict[str, str]:
        """The column as JSON describes it."""
        described = {"key": self.key, "label": self.label, "type": self.kind}
        if self.description:
            described["description"] = self.description
        return described


@dataclass
class Table:
    """An extra table of a report (say, counts by course under a matrix)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class Chart:
    """A bar chart of some columns of the rows (``table="rows"``) or of a section."""

    title: str
    label: str
    series: tuple[str, ...]
    table: str = "rows"
    stacked: bool = False
    horizontal: bool = True


@dataclass
class Report:
    """A report's result: the same object becomes the page, CSV, XLSX and JSON."""

    name: str
    title: str
    parameters: dict[str, Any]
    columns: list[Column]
    #: One mapping per row keyed by column key. Keys starting with "_" are for the page
    #: only (a link target, say) and are never exported. Any iterable will do for CSV.
    rows: Iterable[dict[str, Any]]
    #: Scalar figures, described by ``figures``, in that order.
    summary: dict[str, Any] = field(default_factory=dict)
    figures: list[Column] = field(default_factory=list)
    sections: list[Table] = field(default_factory=list)
    chart: Chart | None = None
    #: Definitions and caveats, shown under the table.
    notes: list[str] = field(default_factory=list)
    #: Whether the page shows the summary as a "Total" row under the main table (the
    #: summary then has a figure for each numeric column).
    total_row: bool = False
    #: A template (under templates/) that shows the report on its page in place of the
    #: standard chart and table, given ``result``, ``show`` and ``chart``.
    template: str | None = None
    #: What that template needs besides (say, one chart per measure); never exported.
    page: dict[str, Any] = field(default_factory=dict)
    generated_at: datetime = field(default_factory=utcnow)

    def table(self, key: str) -> tuple[list[Column], list[dict[str, Any]]]:
        """The columns and rows of the main table ("rows") or of a section."""
        if key == "rows":
            return self.columns, list(self.rows)
        for section in self.sections:
            if section.key == key:
                return section.columns, section.rows
        raise KeyError(key)


# --- parameters --------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSpec:
    """What ``--year YYYY`` means for a report: the month the year starts, and whether the
    year is named by the calendar year it starts in or ends in."""

    start_month: int
    named_by: str
    description: str
    #: Whether a report without a year or dates covers the latest year already ended
    #: (a census year's figures are stocks at its end) rather than the year under way.
    default_completed: bool = False

    def default_year(self, today: date) -> int:
        """The year a report covers when none is chosen."""
        year = self.year_of(today)
        if self.default_completed and self.bounds(year)[1] >= today:
            year -= 1
        return year

    def bounds(self, year: int) -> tuple[date, date]:
        """First and last day of ``year``."""
        first_year = year if self.named_by == "start" or self.start_month == 1 else year - 1
        start = date(first_year, self.start_month, 1)
        if self.start_month == 1:
            return start, date(first_year, 12, 31)
        end = date(first_year + 1, self.start_month, 1).toordinal() - 1
        return start, date.fromordinal(end)

    def year_of(self, day: date) -> int:
        """The name of the year containing ``day``."""
        first_year = day.year if day.month >= self.start_month else day.year - 1
        if self.named_by == "start" or self.start_month == 1:
            return first_year
        return first_year + 1

    def label(self, year: int) -> str:
        """ "2025 to 2026" for a year that spans two calendar years."""
        start, end = self.bounds(year)
        return str(start.year) if start.year == end.year else f"{start.year} to {end.year}"


#: The council's reporting (financial) year: 1 April YYYY to 31 March YYYY+1, named YYYY.
REPORTING_YEAR = YearSpec(
    4, "start", "reporting year: 1 April to 31 March, named by its first year"
)
#: The DfE census year: 1 October to 30 September, named by the year it ends in.
CENSUS_YEAR = YearSpec(
    10,
    "end",
    "census year: 1 October to 30 September, named by its last year",
    default_completed=True,
)


@dataclass(frozen=True)
class Problem:
    """A parameter that could not be used: which field and why."""

    field: str
    message: str


class ParameterError(ValueError):
    """One or more parameters could not be used."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Parameters:
    """Checked parameters. Only those the report takes are set."""

    start: date | None = None
    end: date | None = None
    year: int | None = None
    team_id: int | None = None
    team_name: str | None = None
    on: date | None = None
    window_days: int | None = None
    by: str | None = None
    suppress: bool | None = None
    #: A scorecard's or strategy's code and name.
    scorecard: str | None = None
    scorecard_name: str | None = None
    strategy: str | None = None
    strategy_name: str | None = None

    def as_dict(self, accepts: Iterable[str]) -> dict[str, Any]:
        """The parameters as the JSON export and the audit trail give them."""
        accepts = set(accepts)
        out: dict[str, Any] = {}
        if "period" in accepts:
            out["year"] = self.year
            out["from"] = self.start.isoformat() if self.start else None
            out["to"] = self.end.isoformat() if self.end else None
        if "on" in accepts:
            out["on"] = self.on.isoformat() if self.on else None
        if "window" in accepts:
            out["window_days"] = self.window_days
        if "team" in accepts:
            out["team"] = self.team_id
            out["team_name"] = self.team_name
        if "by" in accepts:
            out["by"] = self.by
        if "suppress" in accepts:
            out["suppress"] = self.suppress
        for name in NAMED_RECORDS:
            if name in accepts:
                out[name] = getattr(self, name)
                out[f"{name}_name"] = getattr(self, f"{name}_name")
        return out

    def query_args(self) -> dict[str, str]:
        """The parameters as query-string arguments that reproduce this report."""
        args: dict[str, str] = {}
        if self.year is not None:
            args["year"] = str(self.year)
        elif self.start and self.end:
            args["from"], args["to"] = self.start.isoformat(), self.end.isoformat()
        for key, value in (
            ("team", self.team_id),
            ("on", self.on),
            ("window", self.window_days),
            ("by", self.by),
            ("scorecard", self.scorecard),
            ("strategy", self.strategy),
        ):
            if value is not None:
                args[key] = value.isoformat() if isinstance(value, date) else str(value)
        if self.suppress:
            args["suppress"] = "yes"
        return args


@dataclass(frozen=True)
class ReportDefinition:
    """A report the service offers: who may run it, what it takes, and how it is built."""

    name: str
    title: str
    description: str
    #: Roles that may run it (admin always may).
    roles: tuple[str, ...]
    build: Callable[[Parameters, User | None], Report]
    accepts: frozenset[str]
    #: (value, label) pairs for ``by``; the first is the default.
    by_choices: tuple[tuple[str, str], ...] = ()
    year: YearSpec = REPORTING_YEAR

    def __post_init__(self) -> None:
        unknown = set(self.accepts) - set(PARAMETER_NAMES)
        if unknown:
            raise ValueError(f"unknown parameters {sorted(unknown)}")
        if ("by" in self.accepts) != bool(self.by_choices):
            raise ValueError("a report that takes 'by' needs by_choices, and only then")

    def visible_to(self, user: User | None) -> bool:
        """Whether ``user`` may run it (None is the command line, which may run any)."""
        return user is None or user.has_role(*self.roles)


_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def parse_date(text: str, field_name: str, what: str) -> date:
    """A date written as 2025-04-01 (or 1/4/2025)."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise ParameterError([Problem(field_name, f"{what} must be a real date, like 2025-04-01")])


def _clean(raw: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v).strip() for k, v in raw.items() if v is not None and str(v).strip() != ""}


def parse_parameters(
    definition: ReportDefinition,
    raw: Mapping[str, Any],
    *,
    today: date,
    default_window: int = 60,
    team_lookup: Callable[[str], tuple[int, str] | None] | None = None,
    record_lookup: Callable[[str, str], tuple[str, str] | None] | None = None,
    strict: bool = False,
) -> Parameters:
    """Check ``raw`` text parameters for ``definition``; raise ``ParameterError`` listing
    every problem.

    ``team_lookup`` turns the ``team`` text into (id, name), or None when no team matches.
    ``record_lookup(parameter, text)`` turns a scorecard's or strategy's code or name into
    (code, name); an empty text asks for the default (the first by name); None when none
    matches.
    With ``strict`` (the command line), a parameter the report does not take is a problem;
    otherwise (a query string, which carries other things too) it is ignored.
    """
    values = _clean(raw)
    accepts = definition.accepts
    problems: list[Problem] = []
    if strict:
        for name, fields_ in PARAMETER_FIELDS.items():
            for field_name in fields_:
                if field_name in values and name not in accepts:
                    problems.append(
                        Problem(
                            field_name, f"The {definition.name} report does not take --{field_name}"
                        )
                    )
    out: dict[str, Any] = {}

    def attempt(fn: Callable[[], None]) -> None:
        try:
            fn()
        except ParameterError as error:
            problems.extend(error.problems)

    if "period" in accepts:

        def period() -> None:
            year_text = values.get("year")
            start_text, end_text = values.get("from"), values.get("to")
            if year_text and (start_text or end_text):
                raise ParameterError(
                    [Problem("year", "Choose a reporting year or dates, not both")]
                )
            if year_text:
                if not re.fullmatch(r"\d{4}", year_text) or not 1900 <= int(year_text) <= 2200:
                    raise ParameterError(
                        [Problem("year", "The year must be four digits, like 2025")]
                    )
                out["year"] = int(year_text)
                out["start"], out["end"] = definition.year.bounds(int(year_text))
                return
            if start_text or end_text:
                found: list[Problem] = []
                if not start_text:
                    found.append(Problem("from", "Enter a start date as well as an end date"))
                if not end_text:
                    found.append(Problem("to", "Enter an end date as well as a start date"))
                start = end = None
                for name, text, what in (
                    ("from", start_text, "The start date"),
                    ("to", end_text, "The end date"),
                ):
                    if text:
                        try:
                            parsed = parse_date(text, name, what)
                        except ParameterError as error:
                            found.extend(error.problems)
                            continue
                        if name == "from":
                            start = parsed
                        else:
                            end = parsed
                if start and end and start > end:
                    found.append(Problem("to", "The end date must be on or after the start date"))
                if found:
                    raise ParameterError(found)
                out["start"], out["end"] = start, end
                return
            year = definition.year.default_year(today)
            out["start"], out["end"] = definition.year.bounds(year)
            out["year"] = year

        attempt(period)

    if "on" in accepts:

        def on() -> None:
            text = values.get("on")
            out["on"] = parse_date(text, "on", "The date") if text else today

        attempt(on)

    if "window" in accepts:

        def window() -> None:
            text = values.get("window")
            if text is None:
                out["window_days"] = default_window
            elif not text.isdigit() or int(text) > MAX_WINDOW_DAYS:
                raise ParameterError(
                    [
                        Problem(
                            "window",
                            f"The warning window must be a whole number of days from 0 to {MAX_WINDOW_DAYS}",
                        )
                    ]
                )
            else:
                out["window_days"] = int(text)

        attempt(window)

    if "by" in accepts:

        def by() -> None:
            allowed = [value for value, _ in definition.by_choices]
            text = values.get("by", allowed[0])
            if text not in allowed:
                raise ParameterError([Problem("by", f"Group by one of: {', '.join(allowed)}")])
            out["by"] = text

        attempt(by)

    if "suppress" in accepts:

        def suppress() -> None:
            text = values.get("suppress", "no").lower()
            if text not in ("yes", "no"):
                raise ParameterError([Problem("suppress", "Suppress small counts: yes or no")])
            out["suppress"] = text == "yes"

        attempt(suppress)

    if "team" in accepts and values.get("team"):

        def team() -> None:
            text = values["team"]
            found = team_lookup(text) if team_lookup else None
            if found is None:
                raise ParameterError([Problem("team", f"There is no team {text!r}")])
            out["team_id"], out["team_name"] = found

        attempt(team)

    for name, what in NAMED_RECORDS.items():
        if name not in accepts:
            continue
        text = values.get(name, "")
        found = record_lookup(name, text) if record_lookup else None
        if found is None:
            message = f"There is no {what} {text!r}" if text else f"There is no {what} yet"
            problems.append(Problem(name, message))
        else:
            out[name], out[f"{name}_name"] = found

    if problems:
        raise ParameterError(problems)
    return Parameters(**out)
