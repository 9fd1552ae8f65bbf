"""Reading uploaded tables (CSV or XLSX) for the imports, and keeping a checked upload
until it is confirmed.

Every import reads its file with :func:`read_table`, turns cells into text or dates with
:func:`cell_text` and :func:`cell_date`, and reports problems as :class:`RowError` with the
spreadsheet's own row numbers (the header is row 1), so a person can find each bad row.
"""

from __future__ import annotations

import io
import re
import secrets
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

#: The most rows one import takes.
MAX_ROWS = 100_000
#: How long a checked file waits for confirmation before it is deleted (it holds personal data).
UPLOAD_LIFETIME = timedelta(hours=2)
TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class RowError:
    """A problem in one cell; ``row`` is the spreadsheet row number (the header is row 1)."""

    row: int
    column: str
    message: str


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """Read a CSV or XLSX file into text cells; ValueError with a plain message if unreadable.

    Column names are lower-cased with spaces as underscores. Wholly blank rows are dropped
    but the index is kept, so ``index + 2`` is still the spreadsheet row number.
    """
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            frame = pd.read_excel(io.BytesIO(content), dtype=object, engine="openpyxl")
        elif name.endswith(".csv"):
            frame = pd.read_csv(
                io.BytesIO(content),
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                skip_blank_lines=False,
            )
        else:
            raise ValueError("The file must be a CSV or XLSX file")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ValueError(f"The file could not be read: {error}") from error
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        if "must be a CSV" in str(error):
            raise
        raise ValueError("The file could not be read as a spreadsheet") from error
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    frame = frame[~frame.map(cell_text).eq("").all(axis=1)]
    if len(frame) > MAX_ROWS:
        raise ValueError(f"The file has {len(frame)} rows; import at most {MAX_ROWS} at once")
    return frame


def spreadsheet_rows(frame: pd.DataFrame) -> list[tuple[int, dict[str, Any]]]:
    """Each row of ``frame`` with its spreadsheet row number (the header is row 1)."""
    return [
        (int(index) + 2, raw)
        for index, raw in zip(frame.index, frame.to_dict("records"), strict=True)
    ]


def cell_text(value: Any) -> str:
    """A cell as trimmed text; blank for empty cells, and whole numbers without ".0"."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_date(value: Any) -> date | None:
    """A cell as a date (None when blank); ValueError with a plain message if it is not one."""
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("must be a date like 2024-09-02 or 02/09/2024")


# --- checked uploads waiting for confirmation -------------------------------------------


def _upload_path(folder: Path, prefix: str, token: str, suffix: str) -> Path:
    return folder / f"{prefix}-{token}{suffix}"


def keep_upload(folder: Path, prefix: str, content: bytes, filename: str) -> str:
    """Save a checked file until it is confirmed; return the token that finds it again."""
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    _upload_path(folder, prefix, token, suffix).write_bytes(content)
    return token


def find_upload(folder: Path, prefix: str, token: str) -> Path | None:
    """The saved file for ``token``, or None if the token is malformed or the file is gone."""
    if not TOKEN.match(token or ""):
        return None
    for suffix in (".csv", ".xlsx"):
        path = _upload_path(folder, prefix, token, suffix)
        if path.exists():
            return path
    return None


def remove_stale_uploads(folder: Path, pattern: str, max_age: timedelta = UPLOAD_LIFETIME) -> int:
    """Delete saved files matching ``pattern`` older than ``max_age``; return how many."""
    if not folder.exists():
        return 0
    cutoff = time.time() - max_age.total_seconds()
    removed = 0
    for path in folder.glob(pattern):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
