"""Every change to the catalog: products, categories, price lists and promotions.

Views, the API, the Excel importers, admin actions and commands all call these
functions. Each runs in one transaction, validates the business rules (raising
``ValidationFailed`` with field errors) and leaves an audit record — through
``AuditedModel`` for products, price lists and promotions, and explicitly for what the
signals cannot see (price list items, a promotion's products and tiers).
"""

from decimal import Decimal, InvalidOperation

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from dms.audit.models import AuditLog
from dms.audit.services import record
from dms.core.errors import Conflict, ValidationFailed

from .models import Category, PriceList, PriceListItem, Product, Promotion, to_money

PRODUCT_FIELDS = [
    "sku", "barcode", "name", "specification", "unit", "pack_size", "category", "brand", "base_price", "vat_rate",
    "moq", "multiple", "description", "status",
]
PRICE_LIST_FIELDS = ["name", "kind", "tier", "distributor", "valid_from", "valid_to", "is_active", "currency"]
PROMOTION_FIELDS = ["name", "rule", "value", "buy_quantity", "free_quantity", "starts_at", "ends_at", "is_active"]
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed(fields=exc.message_dict) from exc


def _save(instance, unique_field: str, message: str):
    """Save in a savepoint; a unique violation that raced past ``full_clean`` is a field error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationFailed(fields={unique_field: [message]}) from exc


# --- products ----------------------------------------------------------------------------


def validate_image(upload, field: str = "image") -> str:
    """Return the true extension of an uploaded JPG/PNG/WebP/GIF image, judged by its
    content and size, or raise ValidationFailed."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationFailed(fields={field: [_("The file is too large (%(size)s); the limit is %(limit)s.") % {
            "size": filesizeformat(upload.size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}]})
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in IMAGE_TYPES:
        raise ValidationFailed(fields={field: [
            _("Only JPG, PNG, WebP and GIF images are accepted; this file's content is not one of them.")]})
    try:
        from PIL import Image

        with Image.open(upload) as img:
            img.verify()
    except Exception as exc:  # noqa: BLE001 - any decoding failure is the user's file
        raise ValidationFailed(fields={field: [_("The image cannot be read; it may be damaged.")]}) from exc
    finally:
        upload.seek(0)
    return IMAGE_TYPES[kind.mime]


def _normalise_product(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in PRODUCT_FIELDS}
    for key in ("sku", "barcode", "name", "specification", "unit", "brand"):
        if key in data and isinstance(data[key], str):
            data[key] = data[key].strip()
    if "sku" in data:
        data["sku"] = data["sku"].upper()
    if isinstance(data.get("category"), int):
        data["category"] = Category.objects.filter(pk=data["category"]).first()
    if data.get("base_price") not in (None, ""):
        try:
            data["base_price"] = to_money(data["base_price"])
        except (InvalidOperation, ValueError):
            raise ValidationFailed(fields={"base_price": [_("Enter a number.")]}) from None
    return data


def _check_product(product: Product):
    _full_clean(product)
    if product.moq % product.multiple:
        raise ValidationFailed(fields={"moq": [
            _("The minimum order quantity must be a multiple of the order multiple (%(m)s).") % {"m": product.multiple}
        ]})


def _attach_image(product: Product, image):
    ext = validate_image(image)
    image.name = f"product.{ext}"
    product.image = image


@transaction.atomic
def create_product(*, actor=None, image=None, **data) -> Product:
    """Create a product (status active unless given)."""
    product = Product(**_normalise_product(data))
    if image:
        _attach_image(product, image)
    _check_product(product)
    _save(product, "sku", _("A product with this SKU already exists."))
    return product


@transaction.atomic
def update_product(*, product_id: int, actor=None, image=None, remove_image: bool = False, **data) -> Product:
    """Change a product's fields (only those given)."""
    product = Product.objects.select_for_update().get(pk=product_id)
    for key, value in _normalise_product(data).items():
        setattr(product, key, value)
    old_image = product.image.name if product.image else ""
    if image:
        _attach_image(product, image)
    elif remove_image:
        product.image = ""
    _check_product(product)
    _save(product, "sku", _("A product with this SKU already exists."))
    if old_image and (image or remove_image):
        storage = Product._meta.get_field("image").storage
        transaction.on_commit(lambda: storage.delete(old_image))
    return product


@transaction.atomic
def set_product_status(*, product_id: int, status: str, actor=None) -> Product:
    """Discontinue or reactivate a product. Its prices and stock stay; a discontinued
    product cannot be ordered (``dms.catalog.pricing.price_lines``)."""
    if status not in Product.Status.values:
        raise ValidationFailed(fields={"status": [_("Unknown status.")]})
    product = Product.objects.select_for_update().get(pk=product_id)
    if product.status != status:
        product.status = status
        product.save(update_fields=["status", "updated_at"])
    return product


# --- categories ---------------------------------------------------------------------------


def descendant_ids(category_id: int) -> set[int]:
    """The category and every category below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [category_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


@transaction.atomic
def save_category(*, category_id: int | None = None, name: str, parent=None, sort_order: int = 0,
                  actor=None) -> Category:
    """Create a category, or rename / move one. A category cannot move under itself or
    one of its own sub-categories."""
    if isinstance(parent, int):
        parent = Category.objects.filter(pk=parent).first()
    category = Category.objects.select_for_update().get(pk=category_id) if category_id else Category()
    old = {"name": category.name, "parent": category.parent_id} if category_id else {}
    if category_id and parent is not None and parent.pk in descendant_ids(category_id):
        raise ValidationFailed(fields={"parent": [_("A category cannot be moved under itself or its sub-categories.")]})
    category.name, category.parent, category.sort_order = (name or "").strip(), parent, sort_order or 0
    if Category.objects.filter(parent=parent, name=category.name).exclude(pk=category.pk).exists():
        raise ValidationFailed(fields={"name": [_("A category with this name already exists here.")]})
    _full_clean(category, exclude=["parent"] if parent is None else None)
    _save(category, "name", _("A category with this name already exists here."))
    new = {"name": category.name, "parent": category.parent_id}
    record(action=AuditLog.Action.UPDATE if category_id else AuditLog.Action.CREATE, instance=category,
           changes={k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}, actor=actor)
    return category


@transaction.atomic
def delete_category(*, category_id: int, actor=None) -> None:
    """Delete an empty category (no products, no sub-categories)."""
    category = Category.objects.select_for_update().get(pk=category_id)
    if category.children.exists() or category.products.exists():
        raise Conflict(_("Only an empty category can be deleted: move its products and sub-categories first."))
    record(action=AuditLog.Action.DELETE, instance=category, changes={"name": [category.name, None]}, actor=actor)
    category.delete()


# --- price lists ------------------------------------------------------------------------


def _check_price_list(price_list: PriceList):
    errors = {}
    kind = price_list.kind
    if kind == PriceList.Kind.TIER and price_list.tier_id is None:
        errors["tier"] = [_("Choose the tier this price list is for.")]
    if kind == PriceList.Kind.DISTRIBUTOR and price_list.distributor_id is None:
        errors["distributor"] = [_("Choose the distributor this price list is for.")]
    if price_list.valid_from and price_list.valid_to and price_list.valid_to < price_list.valid_from:
        errors["valid_to"] = [_("The end date must not be before the start date.")]
    if errors:
        raise ValidationFailed(fields=errors)
    # the target of another kind is dropped, so the database constraint always holds
    if kind != PriceList.Kind.TIER:
        price_list.tier = None
    if kind != PriceList.Kind.DISTRIBUTOR:
        price_list.distributor = None
    _full_clean(price_list)


@transaction.atomic
def create_price_list(*, actor=None, **data) -> PriceList:
    data = {k: v for k, v in data.items() if k in PRICE_LIST_FIELDS}
    price_list = PriceList(**data)
    _check_price_list(price_list)
    price_list.save()
    return price_list


@transaction.atomic
def update_price_list(*, price_list_id: int, actor=None, **data) -> PriceList:
    price_list = PriceList.objects.select_for_update().get(pk=price_list_id)
    for key, value in data.items():
        if key in PRICE_LIST_FIELDS:
            setattr(price_list, key, value)
    _check_price_list(price_list)
    price_list.save()
    return price_list


@transaction.atomic
def set_price_list_active(*, price_list_id: int, active: bool, actor=None) -> PriceList:
    price_list = PriceList.objects.select_for_update().get(pk=price_list_id)
    if price_list.is_active != active:
        price_list.is_active = active
        price_list.save(update_fields=["is_active"])
    return price_list


def parse_price(value, field: str = "price") -> Decimal:
    """A price ≥ 0 with at most two decimals, from text, a number or a Decimal."""
    if isinstance(value, float):
        value = repr(value)
    try:
        price = Decimal(str(value).strip().replace(",", "").replace("¥", ""))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={field: [_("Enter a price, e.g. 12.50.")]}) from None
    if not price.is_finite():
        raise ValidationFailed(fields={field: [_("Enter a price, e.g. 12.50.")]})
    if price < 0:
        raise ValidationFailed(fields={field: [_("The price cannot be negative.")]})
    if price != price.quantize(Decimal("0.01")):
        raise ValidationFailed(fields={field: [_("At most two decimal places.")]})
    if price >= Decimal(10) ** 16:
        raise ValidationFailed(fields={field: [_("The price is too large.")]})
    return to_money(price)


@transaction.atomic
def set_price_list_item(*, price_list_id: int, product_id: int, price, actor=None) -> PriceListItem:
    """Set the price of a product in a price list (adds the product, or changes its price)."""
    price = parse_price(price)
    price_list = PriceList.objects.select_for_update().get(pk=price_list_id)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationFailed(fields={"product": [_("Unknown product.")]})
    item = PriceListItem.objects.filter(price_list=price_list, product=product).first()
    old = item.price if item else None
    if item is None:
        item = PriceListItem.objects.create(price_list=price_list, product=product, price=price)
    elif item.price != price:
        item.price = price
        item.save(update_fields=["price"])
    if old != price:
        record(action=AuditLog.Action.UPDATE, instance=price_list, actor=actor,
               changes={product.sku: [str(old) if old is not None else None, str(price)]},
               message=_("Price of %(sku)s set to %(price)s") % {"sku": product.sku, "price": price})
    return item


@transaction.atomic
def remove_price_list_item(*, price_list_id: int, product_id: int, actor=None) -> None:
    price_list = PriceList.objects.select_for_update().get(pk=price_list_id)
    item = PriceListItem.objects.select_related("product").filter(price_list=price_list, product_id=product_id).first()
    if item is None:
        raise ValidationFailed(fields={"product": [_("This product is not in the price list.")]})
    record(action=AuditLog.Action.UPDATE, instance=price_list, actor=actor,
           changes={item.product.sku: [str(item.price), None]},
           message=_("%(sku)s removed from the price list") % {"sku": item.product.sku})
    item.delete()


# --- promotions -------------------------------------------------------------------------


def _check_promotion(promotion: Promotion, products) -> None:
    errors: dict[str, list] = {}
    rule = promotion.rule
    value = promotion.value if promotion.value is not None else Decimal("0")
    if rule == Promotion.Rule.PERCENT_OFF and not (Decimal("0") < value <= Decimal("100")):
        errors["value"] = [_("The percentage must be more than 0 and at most 100.")]
    elif rule == Promotion.Rule.FIXED_PRICE and value < 0:
        errors["value"] = [_("The fixed price cannot be negative.")]
    if rule == Promotion.Rule.BUY_N_GET_M:
        if not promotion.buy_quantity or promotion.buy_quantity < 1:
            errors["buy_quantity"] = [_("Buy N must be at least 1.")]
        if not promotion.free_quantity or promotion.free_quantity < 1:
            errors["free_quantity"] = [_("Get M free must be at least 1.")]
    else:
        promotion.buy_quantity = promotion.free_quantity = 0
    if rule == Promotion.Rule.BUY_N_GET_M:
        promotion.value = Decimal("0")
    if promotion.starts_at and promotion.ends_at and promotion.ends_at <= promotion.starts_at:
        errors["ends_at"] = [_("The promotion must end after it starts.")]
    if not products:
        errors["products"] = [_("Choose at least one product.")]
    if errors:
        raise ValidationFailed(fields=errors)
    _full_clean(promotion)


def _skus(products) -> list[str]:
    return sorted(p.sku for p in products)


@transaction.atomic
def save_promotion(*, promotion_id: int | None = None, products=(), tiers=(), actor=None, **data) -> Promotion:
    """Create (``promotion_id`` None) or change a promotion: its rule, period, products
    and (optionally) the tiers it is limited to."""
    products = list(Product.objects.filter(pk__in=[getattr(p, "pk", p) for p in products]))
    from dms.distributors.models import Tier

    tiers = list(Tier.objects.filter(pk__in=[getattr(t, "pk", t) for t in tiers or ()]))
    if promotion_id:
        promotion = Promotion.objects.select_for_update().get(pk=promotion_id)
        old_products = _skus(promotion.products.all())
        old_tiers = sorted(t.name for t in promotion.tiers.all())
    else:
        promotion, old_products, old_tiers = Promotion(), None, None
    for key, value in data.items():
        if key in PROMOTION_FIELDS:
            setattr(promotion, key, value)
    if promotion.value is not None:
        promotion.value = to_money(promotion.value)
    _check_promotion(promotion, products)
    promotion.save()
    promotion.products.set(products)
    promotion.tiers.set(tiers)
    changes = {}
    if old_products != _skus(products):
        changes["products"] = [", ".join(old_products) if old_products is not None else None,
                               ", ".join(_skus(products))]
    new_tiers = sorted(t.name for t in tiers)
    if old_tiers != new_tiers and (old_tiers or new_tiers):
        changes["tiers"] = [", ".join(old_tiers or []) or None, ", ".join(new_tiers) or None]
    if changes:
        record(action=AuditLog.Action.UPDATE, instance=promotion, changes=changes, actor=actor)
    return promotion


@transaction.atomic
def set_promotion_active(*, promotion_id: int, active: bool, actor=None) -> Promotion:
    promotion = Promotion.objects.select_for_update().get(pk=promotion_id)
    if promotion.is_active != active:
        promotion.is_active = active
        promotion.save(update_fields=["is_active"])
    return promotion


# --- Excel imports (the row checks live in dms.catalog.importer) ---------------------------


def import_products(rows, *, actor=None):
    """Create or update products by SKU from spreadsheet rows; all or nothing."""
    from .importer import import_products as run

    return run(rows, actor=actor)


def import_prices(rows, *, price_list_id: int, actor=None):
    """Set the prices of one price list by SKU from spreadsheet rows; all or nothing."""
    from .importer import import_prices as run

    return run(rows, price_list_id=price_list_id, actor=actor)

