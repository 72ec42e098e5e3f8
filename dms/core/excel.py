"""Excel export and import (openpyxl; defusedxml is installed, so openpyxl parses safely)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from .errors import ValidationFailed

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Values go out as data, never as formulas (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal | int | float | dt.date) or value is None:
        return value
    return str(value)


def add_sheet(wb: Workbook, title: str, headers: list, rows) -> None:
    """Append a sheet: bold, frozen header row; every value written as data."""
    ws = wb.create_sheet(str(title)[:31])
    ws.append([str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(str(header)) * 2 + 4))
    ws.freeze_panes = "A2"


def workbook_response(wb: Workbook, filename: str, stamp: bool = True) -> HttpResponse:
    buf = BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    suffix = timezone.localtime().strftime("-%Y%m%d-%H%M") if stamp else ""
    response["Content-Disposition"] = f'attachment; filename="{filename}{suffix}.xlsx"'
    return response


def xlsx_response(filename: str, headers: list, rows, sheet_title: str = "Sheet1") -> HttpResponse:
    """One sheet of ``headers`` and ``rows`` as a download named ``filename-<time>.xlsx``."""
    wb = Workbook()
    wb.remove(wb.active)
    add_sheet(wb, sheet_title, headers, rows)
    return workbook_response(wb, filename)


def read_xlsx(upload, max_rows: int = 5000) -> tuple[list[str], list[dict]]:
    """Return (headers, rows) of the first sheet; each row a dict keyed by header, with
    its Excel row number under ``_row``."""
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the user's file
        raise ValidationFailed(fields={"file": [_("This is not a readable Excel (.xlsx) file.")]}) from exc
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        headers = [str(h).strip() if h is not None else "" for h in next(it)]
    except StopIteration:
        raise ValidationFailed(fields={"file": [_("The sheet is empty.")]}) from None
    rows = []
    for number, values in enumerate(it, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        if len(rows) >= max_rows:
            raise ValidationFailed(fields={"file": [_("At most %(n)d rows per file.") % {"n": max_rows}]})
        row = {h: (v.strip() if isinstance(v, str) else v) for h, v in zip(headers, values, strict=False) if h}
        row["_row"] = number
        rows.append(row)
    wb.close()
    return headers, rows


# --- imports: shared by every Excel importer (all or nothing, errors by row and column) ----

def normalise_header(header) -> str:
    return " ".join(str(header or "").replace("_", " ").replace("-", " ").lower().split())


def cell_text(value) -> str:
    """A cell as text: numbers typed into Excel (phones, codes, SKUs) lose no digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created_count(self) -> int:
        return len(self.created)

    @property
    def updated_count(self) -> int:
        return len(self.updated)

    @property
    def error_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})
