"""Spreadsheet exports keep formulas inert and write a tidy XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from workforce.spreadsheets import frame_to_csv, frame_to_xlsx, neutralise, safe_frame

DANGEROUS = [
    "=1+1",
    "+44 20 7946 0000",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTAB",
    "\rCR",
    '=HYPERLINK("http://x","y")',
]
HARMLESS = ["Ada", "", "a=b", "sum @ 1", "1-2", " =padded"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", HARMLESS)
def test_other_text_is_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [None, 0, -5, 3.5, -0.25, True, date(2024, 1, 1)])
def test_values_that_are_not_text_are_left_alone(value):
    assert neutralise(value) is value


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["=cmd|' /C calc'!A0", "Ada", "@risk", "-10", "+1"],
            "hours": [37, -5, 18.5, 0, 1],
            "=header": ["x", "y", "z", "w", "v"],
        }
    )


def test_safe_frame_neutralises_text_cells_and_headers_and_leaves_the_original():
    original = frame()
    safe = safe_frame(original)
    assert list(safe.columns) == ["name", "hours", "'=header"]
    assert list(safe["name"]) == ["'=cmd|' /C calc'!A0", "Ada", "'@risk", "'-10", "'+1"]
    assert list(safe["hours"]) == [37, -5, 18.5, 0, 1]
    assert original["name"][0] == "=cmd|' /C calc'!A0"
    assert list(original.columns)[2] == "=header"


def test_csv_is_utf8_with_a_byte_order_mark_and_no_live_formulas():
    data = frame_to_csv(frame())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "hours", "'=header"]
    assert [r[0] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "Ada", "'@risk", "'-10", "'+1"]
    assert [r[1] for r in rows[1:]] == ["37.0", "-5.0", "18.5", "0.0", "1.0"]
    text_cells = rows[0] + [cells[i] for cells in rows[1:] for i in (0, 2)]
    assert not [cell for cell in text_cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_csv_keeps_non_ascii_text():
    data = frame_to_csv(pd.DataFrame({"name": ["Zoë Ó Briain"]}))
    assert "Zoë Ó Briain" in data.decode("utf-8-sig")


def read_xlsx(data: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_xlsx_has_a_bold_frozen_header_and_no_formulas():
    sheet = read_xlsx(frame_to_xlsx(frame(), sheet_name="Staff"))
    assert sheet.title == "Staff"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["name", "hours", "'=header"]
    assert all(c.font.bold for c in sheet[1])
    assert not any(c.font.bold for c in sheet[2])
    names = [sheet.cell(row=r, column=1) for r in range(2, 7)]
    assert [c.value for c in names] == ["'=cmd|' /C calc'!A0", "Ada", "'@risk", "'-10", "'+1"]
    cells = [c for line in sheet.iter_rows() for c in line]
    assert all(c.data_type != "f" for c in cells)
    assert [sheet.cell(row=r, column=2).value for r in range(2, 7)] == [37, -5, 18.5, 0, 1]
    assert sheet.cell(row=3, column=2).data_type == "n"


def test_xlsx_column_widths_fit_the_text_within_limits():
    data = pd.DataFrame({"a": ["x"], "b": ["y" * 30], "c": ["z" * 500]})
    sheet = read_xlsx(frame_to_xlsx(data))
    assert sheet.title == "Data"
    assert sheet.column_dimensions["A"].width == 12  # at least 10, plus 2
    assert sheet.column_dimensions["B"].width == 32
    assert sheet.column_dimensions["C"].width == 60  # capped


def test_xlsx_sheet_names_are_cut_to_excels_limit():
    sheet = read_xlsx(frame_to_xlsx(pd.DataFrame({"a": [1]}), sheet_name="S" * 40))
    assert sheet.title == "S" * 31


def test_an_empty_frame_still_gets_its_header():
    sheet = read_xlsx(frame_to_xlsx(pd.DataFrame(columns=["staff_number", "=evil"])))
    assert [c.value for c in sheet[1]] == ["staff_number", "'=evil"]
    assert sheet.max_row == 1


def test_string_dtype_columns_are_neutralised_too():
    data = pd.DataFrame({"name": pd.array(["=1+1", "Ada"], dtype="string")})
    rows = list(csv.reader(io.StringIO(frame_to_csv(data).decode("utf-8-sig"))))
    assert rows[1] == ["'=1+1"]
