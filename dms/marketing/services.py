"""Market feedback (submitted by a distributor, triaged, answered and closed by staff) and
the marketing materials library (managed by staff, downloaded by distributors)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import filetype
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.catalog.models import Product
from dms.core import regions
from dms.core.errors import InvalidTransition, NotAllowed, ValidationFailed
from dms.core.files import validate_document
from dms.core.models import next_value
from dms.distributors.models import Distributor, Tier

from .models import ActionTag, Feedback, FeedbackAttachment, Material, MaterialDownload

St = Feedback.Status
MAX_ATTACHMENTS = 5
# Materials may be videos: their own limit (settings.MARKETING_UPLOAD_MAX_BYTES), 200 MB by default.
MATERIAL_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
                  "image/gif": "gif", "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
CENT = Decimal("0.01")


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _required(errors, name, value):
    if not (value or "").strip():
        errors[name] = [_("This field is required.")]


def _money(value, errors, name):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        errors[name] = [_("Enter a number.")]
        return None
    if amount < 0 or amount >= Decimal("1e16"):
        errors[name] = [_("Enter an amount of 0 or more.")]
        return None
    return amount


def _region(code, errors):
    code = (code or "").strip()
    if code and code not in dict(regions.path(code)):
        errors["region_code"] = [_("Unknown region.")]
        return ""
    return code


def default_region(distributor) -> str:
    """The distributor's city (or province): where its feedback comes from unless it says otherwise."""
    path = regions.path(distributor.region_code or "")
    return path[1][0] if len(path) > 1 else (path[0][0] if path else "")


# --- feedback ------------------------------------------------------------------------

# The action tags a new installation starts with (migration 0002 holds a frozen copy).
DEFAULT_ACTION_TAGS = [("forwarded_to_product", "转产品部门", 10), ("price_review", "价格复核", 20),
                       ("marketing_support", "市场支持跟进", 30), ("no_action", "无需处理", 40)]


def ensure_default_action_tags() -> None:
    """Create the default action tags that are missing (e.g. after a test flushed the table)."""
    for code, name, position in DEFAULT_ACTION_TAGS:
        ActionTag.objects.get_or_create(code=code, defaults={"name": name, "position": position})



@transaction.atomic
def submit_feedback(*, distributor_id: int, actor, category: str, title: str, details: str, rating,
                    product_id: int | None = None, region_code: str | None = None, competitor_name: str = "",
                    competitor_price=None, attachments=()) -> Feedback:
    """A distributor's feedback, status new; its channel manager is told after commit.
    ``region_code`` None means the distributor's own region."""
    distributor = Distributor.objects.get(pk=distributor_id)
    if getattr(actor, "distributor_id", None) not in (None, distributor.pk):
        raise NotAllowed()
    errors: dict[str, list] = {}
    if category not in Feedback.Category.values:
        errors["category"] = [_("Choose a category.")]
    _required(errors, "title", title)
    _required(errors, "details", details)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        errors["rating"] = [_("Give a rating from 1 to 5.")]
    product = None
    if product_id:
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            errors["product"] = [_("Unknown product.")]
    region = default_region(distributor) if region_code is None else _region(region_code, errors)
    price = _money(competitor_price, errors, "competitor_price")
    attachments = list(attachments or [])
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("At most %(n)d files.") % {"n": MAX_ATTACHMENTS}]
    kinds = []
    for upload in attachments[:MAX_ATTACHMENTS]:
        try:
            kinds.append(validate_document(upload, field="attachments"))
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    day = timezone.localdate()
    feedback = Feedback.objects.create(
        number=f"FB{day:%Y%m%d}{next_value(f'FB{day:%Y%m%d}'):04d}", distributor=distributor,
        submitted_by=_actor(actor), category=category, product=product, title=title.strip()[:120],
        details=details.strip(), rating=rating, region_code=region, province_code=region[:2],
        competitor_name=(competitor_name or "").strip()[:64], competitor_price=price)
    for upload, kind in zip(attachments, kinds, strict=True):
        FeedbackAttachment.objects.create(feedback=feedback, file=upload, kind=kind, size=upload.size,
                                          original_name=(upload.name or f"file.{kind}")[-128:])
    from . import notify

    transaction.on_commit(lambda: notify.feedback_submitted(feedback.pk))
    return feedback


def _lock(feedback_id: int) -> Feedback:
    return Feedback.objects.select_for_update(of=("self",)).get(pk=feedback_id)


def _move(feedback: Feedback, target: str, actor, **changes) -> None:
    feedback.status = target
    for name, value in changes.items():
        setattr(feedback, name, value)
    feedback.save()  # audited with before/after by AuditedModel


@transaction.atomic
def triage_feedback(*, feedback_id: int, actor, priority: str, action_tag_ids=()) -> Feedback:
    """Set the priority and the action tags; a new item becomes triaged. Allowed until it is closed."""
    feedback = _lock(feedback_id)
    if feedback.status == St.CLOSED:
        raise InvalidTransition(feedback.get_status_display(), St.TRIAGED.label)
    if priority not in Feedback.Priority.values:
        raise ValidationFailed(fields={"priority": [_("Choose a priority.")]})
    ids = {int(i) for i in action_tag_ids or ()}
    tags = list(ActionTag.objects.filter(pk__in=ids))
    if len(tags) != len(ids):
        raise ValidationFailed(fields={"action_tags": [_("Unknown action tag.")]})
    if feedback.status == St.NEW:
        _move(feedback, St.TRIAGED, actor, priority=priority, triaged_at=timezone.now())
    elif feedback.priority != priority:
        feedback.priority = priority
        feedback.save(update_fields=["priority", "updated_at"])
    feedback.action_tags.set(tags)
    return feedback


@transaction.atomic
def respond_feedback(*, feedback_id: int, actor, response: str) -> Feedback:
    """Answer the distributor (it sees the response); the submitter is told after commit."""
    feedback = _lock(feedback_id)
    if St.RESPONDED not in Feedback.TRANSITIONS[feedback.status]:
        raise InvalidTransition(feedback.get_status_display(), St.RESPONDED.label)
    if not (response or "").strip():
        raise ValidationFailed(fields={"response": [_("Write the response.")]})
    _move(feedback, St.RESPONDED, actor, response=response.strip(), responded_by=_actor(actor),
          responded_at=timezone.now())
    from . import notify

    transaction.on_commit(lambda: notify.feedback_responded(feedback.pk))
    return feedback


@transaction.atomic
def close_feedback(*, feedback_id: int, actor) -> Feedback:
    feedback = _lock(feedback_id)
    if feedback.status == St.CLOSED:
        return feedback  # a retry is a no-op
    _move(feedback, St.CLOSED, actor, closed_at=timezone.now())
    return feedback


# --- materials -----------------------------------------------------------------------


def validate_material_file(upload, field: str = "file") -> str:
    """The true type of a material upload (documents, images, videos) from its content."""
    limit = getattr(settings, "MARKETING_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
    if upload.size > limit:
        raise ValidationFailed(fields={field: [_("The file is too large (%(size)s); the limit is %(limit)s.") % {
            "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}]})
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in MATERIAL_TYPES:
        raise ValidationFailed(fields={field: [
            _("Only PDF, images (JPG, PNG, WebP, GIF) and videos (MP4, MOV, WebM) are accepted; "
              "this file's content is not one of them.")]})
    return MATERIAL_TYPES[kind.mime]


def _material_fields(data: dict, *, has_file: bool) -> tuple[dict, list, dict]:
    errors: dict[str, list] = {}
    _required(errors, "title", data.get("title"))
    if data.get("category") not in Material.Category.values:
        errors["category"] = [_("Choose a category.")]
    link = (data.get("link") or "").strip()
    if link and not link.lower().startswith(("http://", "https://")):
        errors["link"] = [_("Enter an address starting with http:// or https://.")]
    upload = data.get("file")
    if upload:
        try:
            data["kind"] = validate_material_file(upload)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if not upload and not link and not has_file:
        errors["file"] = [_("Upload a file or enter a link.")]
    tier_ids = {int(t.pk if hasattr(t, "pk") else t) for t in data.get("tiers") or ()}
    tiers = list(Tier.objects.filter(pk__in=tier_ids))
    if len(tiers) != len(tier_ids):
        errors["tiers"] = [_("Unknown tier.")]
    tags = ", ".join(t.strip() for t in (data.get("tags") or "").replace("，", ",").split(",") if t.strip())
    fields = {"title": (data.get("title") or "").strip()[:120], "description": (data.get("description") or "").strip(),
              "category": data.get("category"), "tags": tags[:200], "link": link,
              "is_published": bool(data.get("is_published"))}
    return fields, tiers, errors


def _attach_file(material: Material, data: dict) -> None:
    upload = data.get("file")
    if upload:
        material.file = upload
        material.kind, material.size = data["kind"], upload.size
        material.original_name = (upload.name or f"file.{data['kind']}")[-128:]


@transaction.atomic
def create_material(*, actor, **data) -> Material:
    """``data``: title, description, category, tags, file (an upload) or link, tiers, is_published."""
    fields, tiers, errors = _material_fields(data, has_file=False)
    if errors:
        raise ValidationFailed(fields=errors)
    material = Material(created_by=_actor(actor), **fields)
    _attach_file(material, data)
    material.save()
    material.tiers.set(tiers)
    return material


@transaction.atomic
def update_material(*, material_id: int, actor, **data) -> Material:
    material = Material.objects.select_for_update().get(pk=material_id)
    fields, tiers, errors = _material_fields(data, has_file=bool(material.file))
    if errors:
        raise ValidationFailed(fields=errors)
    for name, value in fields.items():
        setattr(material, name, value)
    old_file = material.file.name if data.get("file") and material.file else ""
    _attach_file(material, data)
    material.save()
    material.tiers.set(tiers)
    if old_file:
        storage = material.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return material


@transaction.atomic
def delete_material(*, material_id: int, actor) -> None:
    material = Material.objects.select_for_update().get(pk=material_id)
    name, storage = material.file.name, material.file.storage
    material.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def record_download(*, material_id: int, user) -> Material:
    """Count a distributor user's download (total and per distributor). Staff previews and
    downloads are not counted: the figures say what the network uses."""
    material = Material.objects.get(pk=material_id)
    if getattr(user, "distributor_id", None):
        Material.objects.filter(pk=material.pk).update(download_count=F("download_count") + 1)
        MaterialDownload.objects.create(material=material, distributor_id=user.distributor_id, user=_actor(user))
        material.refresh_from_db(fields=["download_count"])
    return material
