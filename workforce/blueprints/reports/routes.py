"""``/reports``: the reports a user may run; ``/reports/<name>``: one report as a page (a chart
and the same figures in a table), or as CSV, XLSX or JSON with ``?format=``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import Response, abort, current_app, jsonify, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import select

from workforce.blueprints.reports import bp
from workforce.extensions import db
from workforce.models import Scorecard, Strategy
from workforce.pagination import Page
from workforce.reports import check_parameters, record_export, run_report
from workforce.reports.base import ParameterError, Problem, Report, ReportDefinition
from workforce.reports.registry import get, reports_for
from workforce.reports.render import FORMATS, csv_chunks, filename, render
from workforce.services.people import team_choices
from workforce.templating import format_date

#: Rows of the main table shown on one page (exports carry every row).
ROWS_PER_PAGE = 50
#: How many reporting years the page offers as links.
YEARS_OFFERED = 6

SERIES_COLOURS = {
    "attended": "#1d70b8",
    "partly_attended": "#5694ca",
    "did_not_attend": "#d4351c",
    "valid": "#00703c",
    "expiring": "#f47738",
    "expired": "#d4351c",
    "missing": "#505a5f",
}
OTHER_COLOURS = ("#1d70b8", "#00703c", "#f47738", "#4c2c92", "#d53880", "#28a197")


def show_value(value: Any, kind: str) -> Markup:
    """A figure as the page shows it: 75.0%, £1,234.50, 1,234; a dash for no figure."""
    if value is None or value == "":
        return Markup(
            '<span aria-hidden="true">–</span><span class="govuk-visually-hidden">no figure</span>'
        )
    if kind == "percent":
        text = f"{Decimal(str(value)) * 100:.1f}%"
    elif kind == "money":
        text = f"£{Decimal(str(value)):,.2f}"
    elif kind == "integer":
        text = f"{int(value):,}"
    elif kind == "decimal":
        text = f"{Decimal(str(value)):,.2f}"
    elif kind == "date" and isinstance(value, date):
        text = format_date(value)
    else:
        text = str(value)
    return escape(text)


def chart_data(result: Report) -> dict[str, Any] | None:
    """What charts.mjs draws: labels and one dataset per series, from the chart's table."""
    chart = result.chart
    if chart is None:
        return None
    columns, rows = result.table(chart.table)
    if not rows:
        return None
    by_key = {column.key: column for column in columns}
    percent = all(by_key[key].kind == "percent" for key in chart.series)

    def number(value: Any) -> float | None:
        if value is None:
            return None
        return round(float(value) * 100, 1) if percent else float(value)

    return {
        "title": chart.title,
        "labels": [str(row.get(chart.label, "")) for row in rows],
        "datasets": [
            {
                "label": by_key[key].label,
                "data": [number(row.get(key)) for row in rows],
                "colour": SERIES_COLOURS.get(key, OTHER_COLOURS[i % len(OTHER_COLOURS)]),
            }
            for i, key in enumerate(chart.series)
        ],
        "stacked": chart.stacked,
        "horizontal": chart.horizontal,
        "percent": percent,
    }


def _year_links(definition: ReportDefinition, selected: int | None) -> list[dict[str, Any]]:
    latest = definition.year.year_of(date.today())
    return [
        {
            "label": definition.year.label(year),
            "href": url_for("reports.show", name=definition.name, **_kept_args(), year=year),
            "current": year == selected,
        }
        for year in range(latest, latest - YEARS_OFFERED, -1)
    ]


def _kept_args() -> dict[str, str]:
    """The query arguments other than the period, the format and the page."""
    return {
        k: v for k, v in request.args.items() if k not in ("year", "from", "to", "format", "page")
    }


def _page_rows(rows: list[dict[str, Any]], per_page: int) -> Page:
    page_number = max(request.args.get("page", 1, type=int) or 1, 1)
    pages = max(1, -(-len(rows) // per_page))
    page_number = min(page_number, pages)
    start = (page_number - 1) * per_page
    return Page(
        rows=rows[start : start + per_page],
        page=page_number,
        per_page=per_page,
        total=len(rows),
    )


def _record_choices(definition: ReportDefinition) -> dict[str, list[tuple[str, str]]]:
    """The scorecards or strategies a report may be run for, as (code, name) choices."""
    choices: dict[str, list[tuple[str, str]]] = {}
    for name, model in (("scorecard", Scorecard), ("strategy", Strategy)):
        if name in definition.accepts:
            rows = db.session.execute(select(model.code, model.name).order_by(model.name))
            choices[name] = [(code, label) for code, label in rows]
    return choices


def _measure_url() -> Any:
    """A function giving a measure's page address, when the performance pages exist."""
    endpoint = "performance.measure_detail"
    if endpoint not in current_app.view_functions:
        return None
    return lambda measure_id: url_for(endpoint, measure_id=measure_id)


def _render_page(
    definition: ReportDefinition,
    *,
    result: Report | None = None,
    params: Any = None,
    problems: list[Problem] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    rows = list(result.rows) if result is not None else []
    if result is not None:
        result.rows = rows
    charted_rows = result is not None and result.chart is not None and result.chart.table == "rows"
    context: dict[str, Any] = {
        "definition": definition,
        "result": result,
        "params": params,
        "problems": problems or [],
        "args": request.args,
        "teams": team_choices(blank="All teams", include_inactive=True),
        "year_links": _year_links(definition, params.year if params else None)
        if "period" in definition.accepts
        else [],
        "show": show_value,
        # A table that carries the chart's figures shows every row, like the chart.
        "page": _page_rows(rows, (len(rows) or 1) if charted_rows else ROWS_PER_PAGE),
        "chart": chart_data(result) if result is not None else None,
        "chart_columns": result.table(result.chart.table)[0]
        if result is not None and result.chart
        else [],
        "chart_rows": result.table(result.chart.table)[1]
        if result is not None and result.chart
        else [],
        "formats": {
            name: url_for("reports.show", name=definition.name, format=name, **params.query_args())
            for name in FORMATS
        }
        if params is not None
        else {},
        "numeric": {"integer", "decimal", "money", "percent"},
        "record_choices": _record_choices(definition),
        "measure_url": _measure_url(),
    }
    return render_template("reports/report.html", **context), status


def _send(result: Report, format_name: str) -> Response:
    fmt = FORMATS[format_name]
    if format_name == "csv":
        response = Response(
            (chunk.encode("utf-8") for chunk in csv_chunks(result)), mimetype=fmt.mimetype
        )
    else:
        response = Response(render(result, format_name), mimetype=fmt.mimetype)
    disposition = "attachment" if fmt.attachment else "inline"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{filename(result, format_name)}"'
    )
    return response


@bp.route("")
@login_required
def index() -> str:
    """The reports the user may run."""
    available = reports_for(current_user)
    if not available:
        abort(403)
    return render_template("reports/index.html", reports=available)


@bp.route("/<name>")
@login_required
def show(name: str) -> Any:
    """A report as a page, or as CSV, XLSX or JSON (``?format=``)."""
    definition = get(name)
    if definition is None:
        abort(404)
    if not definition.visible_to(current_user):
        abort(403)
    format_name = request.args.get("format") or None
    if format_name is not None and format_name not in FORMATS:
        problem = Problem("format", "Choose CSV, XLSX or JSON as the format")
        return _render_page(definition, problems=[problem], status=400)
    try:
        params = check_parameters(definition, request.args)
    except ParameterError as error:
        if format_name == "json":
            errors = [{"field": p.field, "message": p.message} for p in error.problems]
            return jsonify(errors=errors), 400
        return _render_page(definition, problems=error.problems, status=400 if format_name else 200)
    result = run_report(definition, params, current_user)
    if format_name is None:
        return _render_page(definition, result=result, params=params)
    result.rows = list(result.rows)
    record_export(result, format_name)
    db.session.commit()
    return _send(result, format_name)
