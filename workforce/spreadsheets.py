"""Write tables to CSV and XLSX safely: every cell that a spreadsheet would run as a
formula is neutralised, and XLSX files get a header row, widths and a frozen header.

Two ways in: pandas frames (``frame_to_csv``, ``frame_to_xlsx``), and typed columns with
rows from any iterable (``csv_lines``, ``write_xlsx``), which write one row at a time so a
large export need not be held whole, and give each column its number format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix text that starts like a formula with an apostrophe, so it stays text (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with text cells and headers neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for column in safe.columns:
        dtype = safe[column].dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            safe[column] = safe[column].map(neutralise)
    return safe


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads it as UTF-8)."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def frame_to_xlsx(frame: pd.DataFrame, sheet_name: str = "Data") -> bytes:
    """An XLSX workbook with a bold, frozen header row and sensible column widths."""
    buffer = io.BytesIO()
    safe = safe_frame(frame)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_name[:31])
        sheet = writer.sheets[sheet_name[:31]]
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(safe.columns, start=1):
            values = [str(column), *(str(v) for v in safe[column].head(200) if v is not None)]
            sheet.column_dimensions[get_column_letter(index)].width = min(
                60, max(10, *(len(v) for v in values)) + 2
            )
    return buffer.getvalue()


#: Excel number formats for each kind of column; "text" gets none.
NUMBER_FORMATS: dict[str, str] = {
    "integer": "#,##0",
    "decimal": "#,##0.00",
    "money": '"£"#,##0.00',
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
}
#: How many rows are read to size the columns of an XLSX sheet.
WIDTH_SAMPLE = 200


@dataclass(frozen=True)
class SheetColumn:
    """A column to write: its heading and kind (a key of ``NUMBER_FORMATS``, or "text")."""

    header: str
    kind: str = "text"


@dataclass(frozen=True)
class TypedValue:
    """A cell whose kind differs from its column's (a summary sheet mixes kinds)."""

    value: Any
    kind: str = "text"


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a name, its columns, and rows of values in column order."""

    name: str
    columns: Sequence[SheetColumn]
    rows: Iterable[Sequence[Any]]


def _cell_value(value: Any, kind: str) -> Any:
    """A value as a spreadsheet should hold it: numbers as numbers, text neutralised."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if kind == "integer" else float(value)
    return neutralise(value)


def _csv_text(value: Any) -> str:
    if isinstance(value, TypedValue):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(neutralise(value))


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text one line at a time: a byte-order mark and the header first, then each row.

    Text that starts like a formula is neutralised; ``None`` is an empty cell; dates are
    ISO 8601; decimals are written exactly as they are.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Iterable[Any]) -> str:
        writer.writerow([_csv_text(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(headers)
    for row in rows:
        yield line(row)


def _widths(columns: Sequence[SheetColumn], sample: list[Sequence[Any]]) -> list[float]:
    widths = []
    for index, column in enumerate(columns):
        lengths = [len(column.header)]
        for row in sample:
            value = row[index] if index < len(row) else None
            kind = column.kind
            if isinstance(value, TypedValue):
                value, kind = value.value, value.kind
            if value is None:
                continue
            if kind == "percent":
                lengths.append(7)
            elif kind == "money":
                lengths.append(len(f"£{float(value):,.2f}"))
            elif kind in ("integer", "decimal"):
                lengths.append(len(f"{float(value):,.2f}"))
            else:
                lengths.append(len(str(value)))
        widths.append(min(60, max(10, *lengths) + 2))
    return widths


def sheet_title(name: str) -> str:
    """A legal worksheet name: no ``[]:*?/\\``, no apostrophe at either end, 31 characters."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in name).strip().strip("'")
    return cleaned[:31].strip() or "Data"


def write_xlsx(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX workbook, one worksheet per ``Sheet``: a bold, frozen header row, column
    widths from the header and the first rows, and each column's number format.

    Written in openpyxl's write-only mode, row by row.
    """
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for sheet in sheets:
        name = sheet_title(sheet.name)
        for n in itertools.count(2):
            if name not in used:
                break
            name = f"{name[:28]} {n}"
        used.add(name)
        worksheet = workbook.create_sheet(title=name)
        rows = iter(sheet.rows)
        sample = list(itertools.islice(rows, WIDTH_SAMPLE))
        for index, width in enumerate(_widths(sheet.columns, sample), start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        worksheet.freeze_panes = "A2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(worksheet, value=neutralise(column.header))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for row in itertools.chain(sample, rows):
            cells = []
            for column, value in zip(sheet.columns, row, strict=False):
                kind = column.kind
                if isinstance(value, TypedValue):
                    value, kind = value.value, value.kind
                cell = WriteOnlyCell(worksheet, value=_cell_value(value, kind))
                number_format = NUMBER_FORMATS.get(kind)
                if number_format and value is not None:
                    cell.number_format = number_format
                cells.append(cell)
            worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
