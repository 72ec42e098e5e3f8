"""Bulk import of a distributor's customers from spreadsheet rows.

``import_customers(rows, distributor_id=…, actor=…)`` checks every row first; when any
row has an error nothing is imported and the result lists every problem by row and
column. A row that looks like an existing customer of the same distributor (same name or
phone, normalised), or like an earlier row of the file, is reported with a link to the
existing record and blocks the import unless ``allow_duplicates`` is set. Otherwise all
rows are created in one transaction through ``services.create_customer``.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.core import regions
from dms.core.errors import DomainError
from dms.core.excel import ImportResult, RowError
from dms.core.excel import cell_text as _text
from dms.core.excel import normalise_header as _norm
from dms.distributors.validators import validate_phone

from . import services
from .models import Customer, normalise_name, normalise_phone


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    label: str
    required: bool = False
    example: str = ""


COLUMNS = [
    Column("name", "客户名称", "name", gettext_lazy("Name"), True, "福田区华强便利店"),
    Column("type", "类型", "type", gettext_lazy("Type"), False, "门店"),
    Column("status", "状态", "status", gettext_lazy("Status"), False, "潜在"),
    Column("region", "地区", "region", gettext_lazy("Region"), False, "广东省 深圳市 福田区"),
    Column("address", "地址", "address", gettext_lazy("Address"), False, "华强北路1号"),
    Column("contact_name", "联系人", "contact", gettext_lazy("Contact"), False, "李四"),
    Column("contact_title", "职务", "job title", gettext_lazy("Job title"), False, "店长"),
    Column("contact_phone", "电话", "phone", gettext_lazy("Phone"), False, "13800138000"),
    Column("contact_email", "邮箱", "e-mail", gettext_lazy("E-mail"), False, ""),
    Column("tags", "标签", "tags", gettext_lazy("Tags"), False, "KA, 社区店"),
    Column("notes", "备注", "notes", gettext_lazy("Notes"), False, ""),
]
BY_KEY = {c.key: c for c in COLUMNS}
EXTRA_ALIASES = {"name": ["名称", "customer", "customer name"], "contact_name": ["contact name"],
                 "contact_phone": ["contact phone", "mobile", "手机"], "contact_email": ["email", "contact email"],
                 "region": ["area", "省市区"], "contact_title": ["title"]}
FIELD_TO_COLUMN = {"name": "name", "type": "type", "status": "status", "region_code": "region",
                   "address": "address", "notes": "notes"}


@dataclass
class CustomerImportResult(ImportResult):
    # (row, existing customer or None, the earlier row of the file or None)
    duplicates: list = field(default_factory=list)


def _aliases() -> dict[str, str]:
    out = {}
    for col in COLUMNS:
        for alias in (col.zh, col.en, col.key, *EXTRA_ALIASES.get(col.key, [])):
            out[_norm(alias)] = col.key
    return out


# The Chinese words people write in these columns, whatever the UI language.
CHOICE_ALIASES = {
    "零售商": "retailer", "零售": "retailer", "门店": "store", "店铺": "store", "批发商": "wholesaler",
    "终端客户": "end_client", "终端": "end_client", "其他": "other",
    "潜在": "prospect", "潜在客户": "prospect", "活跃": "active", "合作中": "active", "休眠": "dormant",
    "沉睡": "dormant", "流失": "lost", "已流失": "lost",
}


def _choice(value: str, choices) -> str | None:
    """A choice given as its value ("store"), its label in either language or a common
    Chinese word for it ("门店")."""
    text = value.strip().lower()
    values = {val for val, _l in choices}
    if CHOICE_ALIASES.get(text) in values:
        return CHOICE_ALIASES[text]
    for val, label in choices:
        if text in (val, str(label).lower()):
            return val
    with translation.override("en"):
        return next((val for val, label in choices if text == str(label).lower()), None)


def _header_map(rows, result) -> dict:
    aliases, mapping = _aliases(), {}
    for header in (h for h in rows[0] if h != "_row"):
        key = aliases.get(_norm(header))
        if key and key not in mapping.values():
            mapping[header] = key
    for col in COLUMNS:
        if col.required and col.key not in mapping.values():
            result.errors.append(RowError(1, str(col.label), _("Column “%(zh)s” (or “%(en)s”) is missing.")
                                          % {"zh": col.zh, "en": col.en}))
    return mapping


def _check_row(row, err) -> dict:
    """The service arguments of one row; problems go to ``err(key, message)``."""
    n = row["_row"]
    if not row.get("name"):
        err(n, "name", _("Enter the name."))
    elif len(row["name"]) > 128:
        err(n, "name", _("At most 128 characters."))
    data = {"name": row.get("name", ""), "address": row.get("address", ""), "notes": row.get("notes", ""),
            "tags": [row["tags"]] if row.get("tags") else [], "type": Customer.Type.RETAILER,
            "status": Customer.Status.PROSPECT, "region_code": "", "contacts": []}
    for key, choices in (("type", Customer.Type.choices), ("status", Customer.Status.choices)):
        if row.get(key):
            data[key] = _choice(row[key], choices)
            if data[key] is None:
                err(n, key, _("Unknown value “%(value)s”: use one of %(options)s.")
                    % {"value": row[key], "options": "、".join(
                        [*(str(label) for _v, label in choices), *(k for k, v in CHOICE_ALIASES.items()
                                                                    if v in dict(choices))])})
    if row.get("region"):
        data["region_code"] = regions.lookup_by_name(row["region"]) or ""
        if not data["region_code"]:
            err(n, "region", _("Unknown region “%(value)s”: write it like “广东省 深圳市 南山区”.")
                % {"value": row["region"]})
    if len(data["address"]) > 255:
        err(n, "address", _("At most %(n)d characters.") % {"n": 255})
    for key, check in (("contact_phone", validate_phone), ("contact_email", validate_email)):
        if row.get(key):
            try:
                check(row[key])
            except ValidationError as exc:
                for m in exc.messages:
                    err(n, key, m)
    if row.get("contact_name"):
        data["contacts"] = [{"name": row["contact_name"], "title": row.get("contact_title", ""),
                             "phone": row.get("contact_phone", ""), "email": row.get("contact_email", "")}]
    elif row.get("contact_phone") or row.get("contact_email"):
        err(n, "contact_name", _("Enter the contact's name for this phone or e-mail."))
    return data


def _find_duplicates(prepared, distributor_id, result):
    seen_names, seen_phones = {}, {}
    for n, data in prepared:
        phones = [c["phone"] for c in data["contacts"] if c["phone"]]
        existing = services.find_duplicates(distributor_id=distributor_id, name=data["name"], phones=phones)
        name_key = normalise_name(data["name"])
        phone_keys = [normalise_phone(p) for p in phones]
        earlier = seen_names.get(name_key) or next((seen_phones[k] for k in phone_keys if k in seen_phones), None)
        if existing or earlier:
            result.duplicates.append((n, existing[0] if existing else None, earlier))
        seen_names.setdefault(name_key, n)
        for key in phone_keys:
            seen_phones.setdefault(key, n)


class _Abort(Exception):
    pass


def import_customers(rows, *, distributor_id: int, actor=None, allow_duplicates: bool = False
                     ) -> CustomerImportResult:
    """Validate every row, then create all of them or none."""
    result = CustomerImportResult(total_rows=len(rows))

    def err(row, key, message):
        result.errors.append(RowError(row, str(BY_KEY[key].label) if key in BY_KEY else key, str(message)))

    if not rows:
        result.errors.append(RowError(1, "", _("The file has no data rows.")))
        return result
    mapping = _header_map(rows, result)
    if result.errors:
        return result
    prepared = []
    for raw in rows:
        row = {key: _text(raw.get(header)) for header, key in mapping.items()}
        row["_row"] = raw.get("_row", 0)
        before = len(result.errors)
        data = _check_row(row, err)
        if len(result.errors) == before:
            prepared.append((row["_row"], data))
    if not result.errors:
        _find_duplicates(prepared, distributor_id, result)
        if result.duplicates and not allow_duplicates:
            for n, existing, earlier in result.duplicates:
                err(n, "name", _("Looks like the existing customer “%(name)s”.") % {"name": existing.name}
                    if existing else _("Looks like row %(row)d of this file.") % {"row": earlier})
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    try:
        with transaction.atomic():
            for n, data in prepared:
                try:
                    result.created.append(services.create_customer(
                        distributor_id=distributor_id, actor=actor, allow_duplicate=True, **data))
                except DomainError as exc:
                    for key, messages in (exc.fields or {"": [exc.message]}).items():
                        for m in messages if isinstance(messages, list | tuple) else [messages]:
                            err(n, FIELD_TO_COLUMN.get(key, key), m)
                    raise _Abort from exc
    except _Abort:
        result.created = []
    return result


def template_headers(language: str = "zh-hans") -> list[str]:
    return [c.zh if language.startswith("zh") else c.en for c in COLUMNS]
