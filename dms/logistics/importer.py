"""Tracking events imported from a CSV file (a carrier's export, or a sheet kept by hand).

Columns (headers in Chinese or English, any order): ``tracking_number`` or ``shipment``
(the shipment number), ``time``, ``location``, ``description``, ``delivered`` (yes/no).
Every row is checked first; when any row has an error nothing is imported and the result
lists the problems by row. Otherwise the events are stored in one transaction through
``services.import_tracking_events``; an event already stored is skipped, so importing the
same file again adds nothing.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.core.errors import DomainError
from dms.core.excel import RowError, normalise_header

from . import services
from .models import Shipment


@dataclass(frozen=True)
class Column:
    key: str  # also the English header
    zh: str
    label: str
    example: str = ""


COLUMNS = [
    Column("tracking_number", "运单号", gettext_lazy("Tracking number"), "SF1234567890"),
    Column("shipment", "发货单号", gettext_lazy("Shipment number (instead of the tracking number)"),
           ""),
    Column("time", "时间", gettext_lazy("Time (YYYY-MM-DD HH:MM, China time unless an offset is given)"),
           "2026-11-27 09:30"),
    Column("location", "地点", gettext_lazy("Location"), "深圳转运中心"),
    Column("description", "描述", gettext_lazy("Description"), "已发出"),
    Column("delivered", "已签收", gettext_lazy("Delivered (yes/no)"), "no"),
]
ALIASES = {
    "tracking number": "tracking_number", "tracking no": "tracking_number", "waybill": "tracking_number",
    "快递单号": "tracking_number", "物流单号": "tracking_number",
    "shipment number": "shipment", "shipment_number": "shipment", "delivery note": "shipment", "发货单": "shipment",
    "occurred_at": "time", "date": "time", "datetime": "time", "时间点": "time", "日期": "time",
    "event": "description", "status": "description", "事件": "description", "状态": "description",
    "is_delivery": "delivered", "签收": "delivered", "是否签收": "delivered",
}
YES = {"yes", "y", "true", "1", "是", "已签收", "签收", "x", "✓"}
NO = {"no", "n", "false", "0", "否", "未签收", ""}
TIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M"]
MAX_ROWS = 5000


@dataclass
class ImportResult:
    total_rows: int = 0
    created_count: int = 0
    skipped_count: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_key(header: str) -> str | None:
    h = normalise_header(header)
    for c in COLUMNS:
        if h in (c.zh, c.key.replace("_", " ")):
            return c.key
    return ALIASES.get(h) or ALIASES.get(h.replace(" ", "_"))


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 — what Excel saves on a Chinese Windows."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def parse_time(value: str) -> dt.datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
        for fmt in TIME_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def parse_bool(value: str) -> bool | None:
    v = (value or "").strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    return None


def read_rows(text: str) -> tuple[list[str], list[dict]]:
    """Rows keyed by column key, with the file's line number under ``_row``."""
    reader = csv.reader(io.StringIO(text))
    try:
        headers = next(reader)
    except StopIteration:
        return [], []
    keys = [_header_key(h) for h in headers]
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {k: v.strip() for k, v in zip(keys, values, strict=False) if k}
        row["_row"] = number
        rows.append(row)
    return [k for k in keys if k], rows


def import_tracking(raw: bytes, *, actor) -> ImportResult:
    """Check every row, then store all events or none."""
    result = ImportResult()
    try:
        text = decode(raw)
    except UnicodeDecodeError:
        result.errors.append(RowError(1, "", _("The file is not a readable text (CSV) file.")))
        return result
    keys, rows = read_rows(text)
    result.total_rows = len(rows)
    missing = [c for c in ("time", "description") if c not in keys]
    if "tracking_number" not in keys and "shipment" not in keys:
        missing.insert(0, "tracking_number")
    if missing:
        labels = ", ".join(missing)
        result.errors.append(RowError(1, "", _("Missing columns: %(columns)s.") % {"columns": labels}))
        return result
    if not rows:
        result.errors.append(RowError(1, "", _("The file has no rows.")))
        return result
    if len(rows) > MAX_ROWS:
        result.errors.append(RowError(1, "", _("At most %(n)d rows per file.") % {"n": MAX_ROWS}))
        return result

    shipments = _shipments_for(rows)
    events = []
    for row in rows:
        n = row["_row"]
        shipment = None
        tracking, number = row.get("tracking_number", ""), row.get("shipment", "")
        if number:
            shipment = shipments["number"].get(number)
            if shipment is None:
                result.errors.append(RowError(n, "shipment", _("No shipment %(number)s.") % {"number": number}))
        elif tracking:
            shipment = shipments["tracking"].get(tracking)
            if shipment is None:
                result.errors.append(RowError(n, "tracking_number", _(
                    "No dispatched shipment has the tracking number %(number)s.") % {"number": tracking}))
        else:
            result.errors.append(RowError(n, "tracking_number", _("Give the tracking number or shipment number.")))
        if shipment is not None and shipment.status not in (Shipment.Status.DISPATCHED, Shipment.Status.DELIVERED):
            result.errors.append(RowError(n, "shipment", _(
                "Shipment %(number)s has not been dispatched.") % {"number": shipment.number}))
            shipment = None
        occurred_at = parse_time(row.get("time", ""))
        if occurred_at is None:
            result.errors.append(RowError(n, "time", _("Not a time: “%(value)s” (use YYYY-MM-DD HH:MM).")
                                          % {"value": row.get("time", "")}))
        elif occurred_at > timezone.now() + dt.timedelta(minutes=5):
            result.errors.append(RowError(n, "time", _("The time cannot be in the future.")))
        description = row.get("description", "")
        if not description:
            result.errors.append(RowError(n, "description", _("This field is required.")))
        elif len(description) > 255:
            result.errors.append(RowError(n, "description", _("At most 255 characters.")))
        delivered = parse_bool(row.get("delivered", ""))
        if delivered is None:
            result.errors.append(RowError(n, "delivered", _("Use yes or no.")))
        if len(row.get("location", "")) > 128:
            result.errors.append(RowError(n, "location", _("At most 128 characters.")))
        if shipment is not None and occurred_at is not None and description and delivered is not None:
            events.append({"shipment_id": shipment.pk, "occurred_at": occurred_at, "description": description,
                           "location": row.get("location", ""), "is_delivery": delivered})
    if result.errors:
        return result
    try:
        result.created_count = services.import_tracking_events(rows=events, actor=actor)
    except DomainError as exc:
        result.errors.append(RowError(0, "", str(exc.message)))
        return result
    result.skipped_count = len(events) - result.created_count
    return result


def _shipments_for(rows) -> dict:
    """The shipments the rows name, looked up in the request's scope (two queries)."""
    numbers = {r["shipment"] for r in rows if r.get("shipment")}
    tracking = {r["tracking_number"] for r in rows if r.get("tracking_number") and not r.get("shipment")}
    by_number = {s.number: s for s in Shipment.objects.filter(number__in=numbers)} if numbers else {}
    by_tracking = {}
    if tracking:
        qs = (Shipment.objects.filter(tracking_number__in=tracking,
                                      status__in=[Shipment.Status.DISPATCHED, Shipment.Status.DELIVERED])
              .order_by("dispatched_at", "pk"))
        for s in qs:
            by_tracking[s.tracking_number] = s  # the latest dispatched wins
    return {"number": by_number, "tracking": by_tracking}


def sample_csv() -> bytes:
    """A sample file: the English headers and two example rows (UTF-8 with BOM for Excel)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([c.key for c in COLUMNS])
    day = timezone.localdate() - dt.timedelta(days=1)
    writer.writerow(["SF1234567890", "", f"{day:%Y-%m-%d} 09:30", "深圳转运中心", "已发出", "no"])
    writer.writerow(["SF1234567890", "", f"{day:%Y-%m-%d} 15:10", "广州市天河区", "已签收", "yes"])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
