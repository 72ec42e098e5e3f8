"""Excel import of products and of one price list's prices.

Rows are what ``dms.core.excel.read_xlsx`` returns (dicts keyed by the sheet's headers,
Chinese or English, with the Excel row number under ``_row``). Every row is checked and
then written through ``dms.catalog.services`` in one transaction; when any row has a
problem nothing is written and the result lists every problem by row and column (as in
``dms.distributors.importer``).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dms.core.errors import DomainError
from dms.core.excel import ImportResult, RowError
from dms.core.excel import cell_text as _text
from dms.core.excel import normalise_header as _norm

from . import services
from .models import Category, PriceList, Product


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    label: str
    required: bool = False
    example: str = ""


PRODUCT_COLUMNS = [
    Column("sku", "SKU", "sku", gettext_lazy("SKU"), True, "YL-001"),
    Column("name", "名称", "name", gettext_lazy("Name"), True, "清泉山泉水"),
    Column("specification", "规格", "specification", gettext_lazy("Specification"), False, "550ml×24瓶"),
    Column("unit", "单位", "unit", gettext_lazy("Unit"), True, "箱"),
    Column("pack_size", "包装数量", "pack size", gettext_lazy("Pack size"), False, "24"),
    Column("barcode", "条码", "barcode", gettext_lazy("Barcode"), False, "6901234567892"),
    Column("category", "分类", "category", gettext_lazy("Category"), False, "饮料 / 包装水"),
    Column("brand", "品牌", "brand", gettext_lazy("Brand"), False, "清泉"),
    Column("base_price", "基础价", "base price", gettext_lazy("Base price"), True, "36.00"),
    Column("vat_rate", "税率", "vat rate", gettext_lazy("VAT rate"), False, "0.13"),
    Column("moq", "起订量", "moq", gettext_lazy("Minimum order quantity"), False, "1"),
    Column("multiple", "订购倍数", "multiple", gettext_lazy("Order multiple"), False, "1"),
    Column("status", "状态", "status", gettext_lazy("Status"), False, "active"),
    Column("description", "描述", "description", gettext_lazy("Description"), False, ""),
]
PRICE_COLUMNS = [
    Column("sku", "SKU", "sku", gettext_lazy("SKU"), True, "YL-001"),
    Column("price", "价格", "price", gettext_lazy("Price"), True, "32.50"),
    Column("name", "名称", "name", gettext_lazy("Name"), False, "清泉山泉水 (ignored)"),
]
ALIASES = {
    "sku": ["sku", "货号", "商品编码", "编码", "product code"],
    "name": ["商品名称", "品名", "product name"],
    "barcode": ["条形码", "ean"],
    "base_price": ["price", "基础价格", "价格", "单价"] ,
    "moq": ["minimum order quantity", "最小起订量"],
    "multiple": ["order multiple"],
    "pack_size": ["箱规", "packsize"],
    "price": ["单价", "price list price"],
}
INT_FIELDS = {"pack_size", "moq", "multiple"}


def _mapping(headers, columns) -> dict[str, str]:
    aliases: dict[str, str] = {}
    keys = {c.key for c in columns}
    for col in columns:
        for text in (col.zh, col.en, col.key, *ALIASES.get(col.key, [])):
            aliases.setdefault(_norm(text), col.key)
    # "price" means the base price in a product sheet, the list price in a price sheet
    if "price" in keys:
        aliases[_norm("price")] = "price"
    mapping = {}
    for header in headers:
        key = aliases.get(_norm(header))
        if key is None:
            for part in str(header or "").replace("／", "/").split("/"):
                key = aliases.get(_norm(part))
                if key:
                    break
        if key and key not in mapping.values():
            mapping[header] = key
    return mapping


class _Abort(Exception):
    pass


def _prepare(rows, columns, result) -> tuple[dict, list[dict]] | None:
    by_key = {c.key: c for c in columns}
    if not rows:
        result.errors.append(RowError(1, "", _("The file has no data rows.")))
        return None
    headers = [h for h in rows[0] if h != "_row"]
    mapping = _mapping(headers, columns)
    for col in columns:
        if col.required and col.key not in mapping.values():
            result.errors.append(RowError(1, str(col.label), _("Column “%(zh)s” (or “%(en)s”) is missing.")
                                          % {"zh": col.zh, "en": col.en}))
    if result.errors:
        return None
    parsed = []
    for raw in rows:
        row = {key: _text(raw.get(header)) for header, key in mapping.items()}
        row["_row"] = raw.get("_row", 0)
        parsed.append(row)
    return by_key, parsed


def _service_errors(result, n, exc: DomainError, by_key):
    fields = exc.fields or {"": [exc.message]}
    for key, messages in fields.items():
        key = "category" if key == "parent" else key
        label = str(by_key[key].label) if key in by_key else ("" if key in ("", "__all__") else key)
        for m in messages if isinstance(messages, list | tuple) else [messages]:
            result.errors.append(RowError(n, label, str(m)))


def _write_all(result, by_key, work, write) -> ImportResult:
    """Unless a row was refused, ``write(*job)`` every ``(row number, *job)`` of ``work`` in
    one transaction: a service error on any row rolls all of them back (all or nothing)."""
    if not result.errors:
        try:
            with transaction.atomic():
                for n, *job in work:
                    try:
                        write(*job)
                    except DomainError as exc:
                        _service_errors(result, n, exc, by_key)
                if result.errors:
                    raise _Abort
        except _Abort:
            result.created, result.updated = [], []
    result.errors.sort(key=lambda e: e.row)
    return result


def _category_lookup():
    """Categories by full path ("饮料 / 包装水") and, when unambiguous, by their own name."""
    cats = list(Category.objects.select_related("parent"))
    by_path = {_norm(c.path.replace(" / ", "/")): c for c in cats}
    names: dict[str, list] = {}
    for c in cats:
        names.setdefault(_norm(c.name), []).append(c)
    return by_path, names


def import_products(rows, actor=None) -> ImportResult:
    """Create products with new SKUs and update those whose SKU exists; all or nothing.
    On update, an empty cell leaves the field as it is."""
    result = ImportResult(total_rows=len(rows))
    prepared = _prepare(rows, PRODUCT_COLUMNS, result)
    if prepared is None:
        return result
    by_key, parsed = prepared

    def err(n, key, message):
        result.errors.append(RowError(n, str(by_key[key].label) if key in by_key else key, str(message)))

    existing = {p.sku: p for p in Product.objects.filter(sku__in=[r.get("sku", "").upper() for r in parsed])}
    by_path, by_name = _category_lookup()
    first_row: dict[str, int] = {}
    work = []
    for row in parsed:
        n = row["_row"]
        before = len(result.errors)
        sku = row.get("sku", "").upper()
        if not sku:
            err(n, "sku", _("Enter the SKU."))
        elif sku in first_row:
            err(n, "sku", _("The same SKU is already in row %(row)d of this file.") % {"row": first_row[sku]})
        else:
            first_row[sku] = n
        product = existing.get(sku)
        data = {}
        for key in ("name", "specification", "unit", "barcode", "brand", "description"):
            if row.get(key):
                data[key] = row[key]
        if product is None:
            for key in ("name", "unit", "base_price"):
                if not row.get(key):
                    err(n, key, _("Required for a new product."))
        for key in INT_FIELDS:
            if row.get(key):
                try:
                    value = int(Decimal(row[key]))
                    if value != Decimal(row[key]) or value < 1:
                        raise ValueError
                except (InvalidOperation, ValueError):
                    err(n, key, _("Enter a whole number of at least 1."))
                else:
                    data[key] = value
        if row.get("base_price"):
            try:
                data["base_price"] = services.parse_price(row["base_price"], "base_price")
            except DomainError as exc:
                _service_errors(result, n, exc, by_key)
        if row.get("vat_rate"):
            text = row["vat_rate"].rstrip("%")
            try:
                rate = Decimal(text) / (100 if row["vat_rate"].endswith("%") else 1)
                if not (0 <= rate < 1):
                    raise InvalidOperation
            except InvalidOperation:
                err(n, "vat_rate", _("Enter a rate such as 0.13 or 13%."))
            else:
                data["vat_rate"] = rate
        if row.get("category"):
            text = _norm(row["category"].replace("／", "/").replace(" / ", "/").replace(" /", "/").replace("/ ", "/"))
            category = by_path.get(text)
            if category is None and len(by_name.get(text, [])) == 1:
                category = by_name[text][0]
            if category is None:
                err(n, "category", _("Unknown category “%(value)s”: write its path, e.g. 饮料 / 包装水.")
                    % {"value": row["category"]})
            data["category"] = category
        if row.get("status"):
            status = _status(row["status"])
            if status is None:
                err(n, "status", _("Status must be “active” or “discontinued”."))
            data["status"] = status
        if len(result.errors) == before:
            work.append((n, sku, product, data))

    def write(sku, product, data):
        if product is None:
            result.created.append(services.create_product(actor=actor, sku=sku, **data))
        else:
            result.updated.append(services.update_product(product_id=product.pk, actor=actor, **data))

    return _write_all(result, by_key, work, write)


def _status(text: str) -> str | None:
    value = _norm(text)
    for choice, label in Product.Status.choices:
        if value in (choice, _norm(str(label))):
            return choice
    return {"在售": Product.Status.ACTIVE, "启用": Product.Status.ACTIVE, "停售": Product.Status.DISCONTINUED,
            "停产": Product.Status.DISCONTINUED, "已停售": Product.Status.DISCONTINUED}.get(text.strip())


def import_prices(rows, *, price_list_id: int, actor=None) -> ImportResult:
    """Set the price of each SKU in the price list; all or nothing. Products not in the
    file keep their price."""
    result = ImportResult(total_rows=len(rows))
    price_list = PriceList.objects.get(pk=price_list_id)
    prepared = _prepare(rows, PRICE_COLUMNS, result)
    if prepared is None:
        return result
    by_key, parsed = prepared
    products = {p.sku: p for p in Product.objects.filter(sku__in=[r.get("sku", "").upper() for r in parsed])}
    in_list = set(price_list.items.values_list("product_id", flat=True))
    first_row: dict[str, int] = {}
    work = []
    for row in parsed:
        n = row["_row"]
        before = len(result.errors)
        sku = row.get("sku", "").upper()
        product = products.get(sku)
        if not sku:
            result.errors.append(RowError(n, str(by_key["sku"].label), _("Enter the SKU.")))
        elif product is None:
            result.errors.append(RowError(n, str(by_key["sku"].label),
                                          _("No product has the SKU “%(sku)s”.") % {"sku": sku}))
        elif sku in first_row:
            result.errors.append(RowError(n, str(by_key["sku"].label),
                                          _("The same SKU is already in row %(row)d of this file.")
                                          % {"row": first_row[sku]}))
        if sku:
            first_row.setdefault(sku, n)
        price = None
        if not row.get("price"):
            result.errors.append(RowError(n, str(by_key["price"].label), _("Enter the price.")))
        else:
            try:
                price = services.parse_price(row["price"])
            except DomainError as exc:
                _service_errors(result, n, exc, by_key)
        if len(result.errors) == before:
            work.append((n, product, price))

    def write(product, price):
        item = services.set_price_list_item(price_list_id=price_list.pk, product_id=product.pk, price=price,
                                            actor=actor)
        (result.updated if product.pk in in_list else result.created).append(item)

    return _write_all(result, by_key, work, write)


def template_headers(columns, language: str = "zh-hans") -> list[str]:
    return [c.zh if language.startswith("zh") else c.en for c in columns]
