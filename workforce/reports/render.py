"""Render a report as CSV, XLSX or JSON.

- **JSON**: ``{"report", "parameters", "generated_at", "columns", "rows", "summary"}``.
  ``columns`` describe each column (``key``, ``label``, ``type``); each row is an object
  keyed by column key; ``summary`` holds the scalar figures and, under their keys, the
  rows of any extra tables. Rates are proportions between 0 and 1; money and means are
  numbers; dates are ISO 8601; a figure with no denominator is ``null``.
- **CSV**: the main table only, a header row of column labels then one line per row,
  produced one line at a time (``csv_chunks``), so a large report can be streamed.
- **XLSX**: the main table on the first sheet, each extra table on its own sheet, and an
  "About this report" sheet with the parameters, the summary figures and the notes; each
  sheet with a bold frozen header, column widths and number formats.

Text that begins like a formula (``=``, ``+``, ``-``, ``@``) is neutralised in CSV and XLSX.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workforce.reports.base import Column, Report
from workforce.spreadsheets import Sheet, SheetColumn, TypedValue, csv_lines, write_xlsx

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Format:
    """An export format."""

    extension: str
    mimetype: str
    #: Whether a browser should save it rather than show it.
    attachment: bool


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8", attachment=True),
    "xlsx": Format("xlsx", XLSX_MIMETYPE, attachment=True),
    "json": Format("json", "application/json", attachment=False),
}


def json_value(value: Any, kind: str = "text") -> Any:
    """A value as JSON carries it."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if kind == "integer" else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _json_rows(columns: list[Column], rows: Any) -> list[dict[str, Any]]:
    return [{c.key: json_value(row.get(c.key), c.kind) for c in columns} for row in rows]


def json_document(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready mapping."""
    kinds = {figure.key: figure.kind for figure in report.figures}
    summary: dict[str, Any] = {
        key: json_value(value, kinds.get(key, "text")) for key, value in report.summary.items()
    }
    for section in report.sections:
        summary[section.key] = _json_rows(section.columns, section.rows)
    return {
        "report": report.name,
        "parameters": {k: json_value(v) for k, v in report.parameters.items()},
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "columns": [column.as_dict() for column in report.columns],
        "rows": _json_rows(report.columns, report.rows),
        "summary": summary,
    }


def to_json(report: Report) -> bytes:
    """The report as UTF-8 JSON."""
    return json.dumps(json_document(report), ensure_ascii=False, indent=1).encode("utf-8")


def csv_chunks(report: Report) -> Iterator[str]:
    """The main table as CSV, one line at a time (the first with a byte-order mark)."""
    keys = [column.key for column in report.columns]
    return csv_lines(
        [column.label for column in report.columns],
        ([row.get(key) for key in keys] for row in report.rows),
    )


def to_csv(report: Report) -> bytes:
    """The main table as UTF-8 CSV with a byte-order mark (so Excel reads it as UTF-8)."""
    return "".join(csv_chunks(report)).encode("utf-8")


def _sheet(title: str, columns: list[Column], rows: Any) -> Sheet:
    keys = [column.key for column in columns]
    return Sheet(
        name=title,
        columns=[SheetColumn(column.label, column.kind) for column in columns],
        rows=([row.get(key) for key in keys] for row in rows),
    )


def _about_rows(report: Report) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Report", report.title],
        ["Name", report.name],
        ["Generated at (UTC)", report.generated_at.strftime("%Y-%m-%d %H:%M")],
    ]
    for key, value in report.parameters.items():
        if value is not None:
            rows.append([f"Parameter: {key}", json_value(value)])
    for figure in report.figures:
        rows.append([figure.label, TypedValue(report.summary.get(figure.key), figure.kind)])
    for note in report.notes:
        rows.append(["Note", note])
    return rows


def to_xlsx(report: Report) -> bytes:
    """The report as a formatted XLSX workbook."""
    sheets = [_sheet(report.title, report.columns, report.rows)]
    sheets += [_sheet(section.title, section.columns, section.rows) for section in report.sections]
    sheets.append(
        Sheet(
            name="About this report",
            columns=[SheetColumn("Item"), SheetColumn("Value")],
            rows=_about_rows(report),
        )
    )
    return write_xlsx(sheets)


def render(report: Report, format_name: str) -> bytes:
    """The report in ``format_name`` ("csv", "xlsx" or "json")."""
    if format_name == "csv":
        return to_csv(report)
    if format_name == "xlsx":
        return to_xlsx(report)
    if format_name == "json":
        return to_json(report)
    raise ValueError(f"unknown format {format_name!r}")


def filename(report: Report, format_name: str) -> str:
    """A download name such as ``training-2025-04-01-to-2026-03-31.xlsx``."""
    params = report.parameters
    if params.get("from") and params.get("to"):
        stamp = f"{params['from']}-to-{params['to']}"
    elif params.get("on"):
        stamp = str(params["on"])
    else:
        stamp = report.generated_at.date().isoformat()
    return f"{report.name}-{stamp}.{FORMATS[format_name].extension}"
