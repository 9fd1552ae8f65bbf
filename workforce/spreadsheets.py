"""Write tables to CSV and XLSX safely: every cell that a spreadsheet would run as a
formula is neutralised, and XLSX files get a header row, widths and a frozen header."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
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
