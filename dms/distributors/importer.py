"""Bulk import of distributors from spreadsheet rows.

``import_distributors(rows, actor)`` checks every row first; when any row has an error
nothing is imported and the result lists every problem (row number, column, message).
Otherwise all rows are created in one transaction through ``services.create_distributor``.
Rows are dicts keyed by the sheet's headers (Chinese or English) with the Excel row
number under ``_row`` — what ``dms.core.excel.read_xlsx`` returns — so a management
command or the API can reuse this.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.core import regions
from dms.core.errors import DomainError
from dms.core.excel import ImportResult, RowError
from dms.core.excel import cell_text as _text
from dms.core.excel import normalise_header as _norm

from . import services
from .forms import split_tags
from .models import Distributor, Tier
from .validators import normalize_uscc, validate_phone, validate_uscc


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    label: str
    required: bool = False
    example: str = ""


COLUMNS = [
    Column("name", "名称", "name", gettext_lazy("Name"), True, "深圳市示例贸易有限公司"),
    Column("legal_name", "法定名称", "legal name", gettext_lazy("Legal name"), False, "深圳市示例贸易有限公司"),
    Column("credit_code", "统一社会信用代码", "credit code", gettext_lazy("Unified Social Credit Code"), True,
           "91440300708461136T"),
    Column("tier", "级别", "tier", gettext_lazy("Tier"), True, "1"),
    Column("parent_code", "上级经销商编码", "parent code", gettext_lazy("Parent distributor code"), False, ""),
    Column("region", "地区", "region", gettext_lazy("Region"), False, "广东省 深圳市 南山区"),
    Column("sales_territory", "销售区域", "sales territory", gettext_lazy("Sales territory"), False, "华南"),
    Column("address", "地址", "address", gettext_lazy("Address"), False, "科技园路1号"),
    Column("channel_manager", "渠道经理用户名", "channel manager", gettext_lazy("Channel manager user name"),
           False, ""),
    Column("contact_name", "联系人", "contact", gettext_lazy("Contact"), False, "张三"),
    Column("contact_phone", "电话", "phone", gettext_lazy("Phone"), False, "13800138000"),
    Column("contact_email", "邮箱", "e-mail", gettext_lazy("E-mail"), False, "zhangsan@example.com"),
    Column("tags", "标签", "tags", gettext_lazy("Tags"), False, "KA, 华南"),
]
BY_KEY = {c.key: c for c in COLUMNS}
# English headers are matched loosely: case, "_", "-" and extra spaces do not matter.
EXTRA_ALIASES = {
    "credit_code": ["uscc", "unified social credit code"],
    "parent_code": ["parent", "parent distributor code"],
    "region": ["area"],
    "channel_manager": ["manager", "channel manager username", "channel manager user name"],
    "contact_name": ["contact name"],
    "contact_phone": ["contact phone", "mobile"],
    "contact_email": ["email", "contact email", "contact e-mail"],
}
# A service error on a model field is reported on the column it came from.
FIELD_TO_COLUMN = {
    "name": "name", "legal_name": "legal_name", "credit_code": "credit_code", "tier": "tier",
    "parent": "parent_code", "region_code": "region", "sales_territory": "sales_territory", "address": "address",
    "channel_manager": "channel_manager", "phone": "contact_phone", "email": "contact_email",
}


def _aliases() -> dict[str, str]:
    out = {}
    for col in COLUMNS:
        out[_norm(col.zh)] = col.key
        out[_norm(col.en)] = col.key
        out[_norm(col.key)] = col.key
        for alias in EXTRA_ALIASES.get(col.key, []):
            out[_norm(alias)] = col.key
    return out


def match_header(header) -> str | None:
    """The column key for a header such as "统一社会信用代码", "Credit code" or "名称/name"."""
    aliases = _aliases()
    text = _norm(header)
    if text in aliases:
        return aliases[text]
    for part in str(header or "").replace("／", "/").split("/"):
        if _norm(part) in aliases:
            return aliases[_norm(part)]
    return None


class _Abort(Exception):
    pass


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def import_distributors(rows, actor=None) -> ImportResult:
    """Validate every row, then create all of them or none."""
    result = ImportResult(total_rows=len(rows))

    def err(row, key, message):
        result.errors.append(RowError(row, str(BY_KEY[key].label) if key in BY_KEY else key, str(message)))

    if not rows:
        result.errors.append(RowError(1, "", _("The file has no data rows.")))
        return result

    # headers -> keys
    headers = [h for h in rows[0] if h != "_row"]
    mapping = {}
    for header in headers:
        key = match_header(header)
        if key and key not in mapping.values():
            mapping[header] = key
    for col in COLUMNS:
        if col.required and col.key not in mapping.values():
            result.errors.append(RowError(1, str(col.label), _("Column “%(zh)s” (or “%(en)s”) is missing.")
                                          % {"zh": col.zh, "en": col.en}))
    if result.errors:
        return result

    tiers = {t.level: t for t in Tier.objects.all()}
    tiers_by_name = {t.name: t for t in tiers.values()}
    managers = {
        u.username.lower(): u for u in User.objects.filter(
            groups__name=Role.CHANNEL_MANAGER, distributor__isnull=True, is_active=True)
    }

    parsed = []
    for raw in rows:
        row = {key: _text(raw.get(header)) for header, key in mapping.items()}
        row["_row"] = raw.get("_row", 0)
        parsed.append(row)

    codes = [normalize_uscc(r.get("credit_code", "")) for r in parsed]
    existing = set(Distributor.objects.filter(credit_code__in=[c for c in codes if c])
                   .values_list("credit_code", flat=True))
    parent_codes = {r.get("parent_code", "").upper() for r in parsed if r.get("parent_code")}
    parents = {d.code.upper(): d for d in Distributor.objects.select_related("tier").filter(code__in=parent_codes)}
    # a distributor code is upper-case ("D00001"); look up the rest case-insensitively
    for code in parent_codes - set(parents):
        found = Distributor.objects.select_related("tier").filter(code__iexact=code).first()
        if found:
            parents[code] = found

    first_row_of_code: dict[str, int] = {}
    prepared = []
    for row, code in zip(parsed, codes, strict=True):
        n = row["_row"]
        errors_before = len(result.errors)
        if not row.get("name"):
            err(n, "name", _("Enter the name."))
        elif len(row["name"]) > 128:
            err(n, "name", _("At most 128 characters."))
        if not code:
            err(n, "credit_code", _("Enter the Unified Social Credit Code."))
        else:
            try:
                validate_uscc(code)
            except ValidationError as exc:
                for m in _messages(exc):
                    err(n, "credit_code", m)
            else:
                if code in first_row_of_code:
                    err(n, "credit_code", _("The same credit code is already in row %(row)d of this file.")
                        % {"row": first_row_of_code[code]})
                elif code in existing:
                    err(n, "credit_code", _("A distributor with this credit code already exists."))
                first_row_of_code.setdefault(code, n)

        tier = None
        tier_text = row.get("tier", "")
        if not tier_text:
            err(n, "tier", _("Enter the tier (1, 2, …)."))
        else:
            digits = tier_text.lower().removeprefix("tier").strip()
            tier = tiers.get(int(digits)) if digits.isdigit() else tiers_by_name.get(tier_text)
            if tier is None:
                err(n, "tier", _("Unknown tier “%(value)s”: use one of %(levels)s.")
                    % {"value": tier_text, "levels": ", ".join(str(level) for level in sorted(tiers))})

        parent = None
        if row.get("parent_code"):
            parent = parents.get(row["parent_code"].upper())
            if parent is None:
                err(n, "parent_code", _("No distributor has the code “%(code)s”.") % {"code": row["parent_code"]})
            elif parent.status == Distributor.Status.TERMINATED:
                err(n, "parent_code", _("The parent distributor is terminated."))
            elif tier is not None and parent.tier.level >= tier.level:
                err(n, "parent_code", _("The parent must be of a higher tier."))
        elif tier is not None and tier.level > 1:
            err(n, "parent_code", _("A distributor below the first tier needs a parent distributor."))

        region_code = ""
        if row.get("region"):
            region_code = regions.lookup_by_name(row["region"]) or ""
            if not region_code:
                err(n, "region", _("Unknown region “%(value)s”: write it like “广东省 深圳市 南山区”.")
                    % {"value": row["region"]})

        manager = None
        if row.get("channel_manager"):
            manager = managers.get(row["channel_manager"].lower())
            if manager is None:
                err(n, "channel_manager", _("No active channel manager has the user name “%(value)s”.")
                    % {"value": row["channel_manager"]})

        for key, limit in (("legal_name", 128), ("sales_territory", 128), ("address", 255)):
            if len(row.get(key, "")) > limit:
                err(n, key, _("At most %(n)d characters.") % {"n": limit})

        contact = None
        if row.get("contact_phone"):
            try:
                validate_phone(row["contact_phone"])
            except ValidationError as exc:
                for m in _messages(exc):
                    err(n, "contact_phone", m)
        if row.get("contact_email"):
            try:
                validate_email(row["contact_email"])
            except ValidationError:
                err(n, "contact_email", _("Enter a valid e-mail address."))
        if row.get("contact_name"):
            if len(row["contact_name"]) > 64:
                err(n, "contact_name", _("At most 64 characters."))
            contact = {"name": row["contact_name"], "phone": row.get("contact_phone", ""),
                       "email": row.get("contact_email", "")}
        elif row.get("contact_phone") or row.get("contact_email"):
            err(n, "contact_name", _("Enter the contact's name for this phone or e-mail."))

        if len(result.errors) == errors_before:
            prepared.append((n, {
                "name": row["name"], "legal_name": row.get("legal_name", ""), "credit_code": code,
                "tier": tier, "parent": parent, "region_code": region_code,
                "sales_territory": row.get("sales_territory", ""), "address": row.get("address", ""),
                "channel_manager": manager, "tags": split_tags(row.get("tags", "")),
                "contacts": [contact] if contact else [],
            }))

    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result

    try:
        with transaction.atomic():
            for n, data in prepared:
                try:
                    result.created.append(services.create_distributor(actor=actor, **data))
                except DomainError as exc:
                    fields = exc.fields or {"": [exc.message]}
                    for key, messages in fields.items():
                        for m in messages if isinstance(messages, list | tuple) else [messages]:
                            err(n, FIELD_TO_COLUMN.get(key, key), m)
                    raise _Abort from exc
    except _Abort:
        result.created = []
    return result


def template_headers(language: str = "zh-hans") -> list[str]:
    return [c.zh if language.startswith("zh") else c.en for c in COLUMNS]
