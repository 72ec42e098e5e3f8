"""Every change to a distributor's customers goes through these functions.

Pages, the API, the Excel import, jobs and commands call them. Each runs in one
transaction; creating or renaming a customer locks the distributor row first, so two
people entering the same customer at once cannot both slip past the duplicate check.
Changes are audited by ``AuditedModel``; reminders are sent after commit.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.accounts.models import User
from dms.accounts.roles import Role
from dms.core.errors import Conflict, InvalidTransition, ValidationFailed
from dms.distributors.forms import split_tags
from dms.distributors.models import Distributor
from dms.distributors.validators import validate_phone
from dms.notifications.models import Category
from dms.notifications.services import notify

from .models import Customer, CustomerContact, CustomerNeed, CustomerTag, FollowUp, normalise_name, normalise_phone

CUSTOMER_FIELDS = ["name", "type", "status", "region_code", "address", "notes", "last_order_date"]
MAX_CONTACTS = 10


class DuplicateCustomer(Conflict):
    """A customer with the same name or phone exists in the distributor: the caller shows
    the matches and may confirm (``allow_duplicate=True``)."""

    code = "duplicate_customer"


# --- duplicates ----------------------------------------------------------------------


def find_duplicates(*, distributor_id: int, name: str = "", phones=(), exclude_id: int | None = None) -> list:
    """This distributor's customers with the same normalised name or contact phone — never
    another distributor's."""
    name_key = normalise_name(name)
    phone_keys = {k for k in (normalise_phone(p) for p in phones) if len(k) >= 7}
    match = Q(name_key=name_key) if name_key else Q()
    if phone_keys:
        same_phone = CustomerContact.objects.filter(customer=OuterRef("pk"), phone_key__in=phone_keys)
        match |= Q(Exists(same_phone))
    if not match:
        return []
    qs = Customer.objects.filter(match, distributor_id=distributor_id)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("pk")[:5])


def duplicate_error(duplicates) -> DuplicateCustomer:
    names = "、".join(c.name for c in duplicates)
    return DuplicateCustomer(
        _("A customer with the same name or phone already exists: %(names)s.") % {"names": names},
        extra={"duplicates": [{"id": c.pk, "name": c.name, "url": reverse("crm_portal:detail", args=[c.pk])}
                              for c in duplicates]},
    )


# --- customers -----------------------------------------------------------------------


def _clean_contacts(contacts) -> list[dict]:
    cleaned, errors = [], {}
    rows = [c for c in contacts or [] if any(str(c.get(k) or "").strip() for k in ("name", "phone", "email"))]
    if len(rows) > MAX_CONTACTS:
        raise ValidationFailed(fields={"contacts": [_("At most %(n)d contacts.") % {"n": MAX_CONTACTS}]})
    for i, raw in enumerate(rows):
        row = {k: str(raw.get(k) or "").strip() for k in ("name", "title", "phone", "email")}
        row["is_primary"] = bool(raw.get("is_primary"))
        try:
            if not row["name"]:
                raise ValidationError(_("Enter the contact's name."))
            if len(row["name"]) > 64 or len(row["title"]) > 64:
                raise ValidationError(_("At most 64 characters."))
            validate_phone(row["phone"])
            if row["email"]:
                validate_email(row["email"])
        except ValidationError as exc:
            errors[f"contacts.{i}"] = exc.messages
        cleaned.append(row)
    if errors:
        raise ValidationFailed(fields=errors)
    if cleaned and not any(c["is_primary"] for c in cleaned):
        cleaned[0]["is_primary"] = True
    return cleaned


def _check_owner(distributor_id, owner):
    if owner is not None and (owner.distributor_id != distributor_id or not owner.is_active):
        raise ValidationFailed(fields={"owner": [_("Choose an active user of this distributor.")]})


def _full_clean(customer):
    try:
        customer.full_clean(exclude=["distributor", "owner", "created_by", "tags"])
    except ValidationError as exc:
        raise ValidationFailed(fields=exc.message_dict) from exc


def _set_tags(customer, tags):
    objs = [CustomerTag.objects.get_or_create(distributor_id=customer.distributor_id, name=name)[0]
            for name in split_tags(", ".join(tags) if isinstance(tags, list | tuple) else tags)]
    customer.tags.set(objs)


def _set_contacts(customer, contacts):
    customer.contacts.all().delete()
    for row in contacts:
        CustomerContact.objects.create(customer=customer, **row)


def _check_duplicates(customer, contacts, allow_duplicate):
    if allow_duplicate:
        return
    duplicates = find_duplicates(distributor_id=customer.distributor_id, name=customer.name,
                                 phones=[c["phone"] for c in contacts], exclude_id=customer.pk)
    if duplicates:
        raise duplicate_error(duplicates)


@transaction.atomic
def create_customer(*, distributor_id: int, actor=None, contacts=None, tags=(), owner=None,
                    allow_duplicate: bool = False, **data) -> Customer:
    Distributor.objects.select_for_update().get(pk=distributor_id)
    contacts = _clean_contacts(contacts)
    owner = owner if owner is not None else (actor if getattr(actor, "distributor_id", None) == distributor_id
                                             else None)
    _check_owner(distributor_id, owner)
    customer = Customer(distributor_id=distributor_id, owner=owner, created_by=actor if getattr(actor, "pk", None)
                        else None, **{k: v for k, v in data.items() if k in CUSTOMER_FIELDS})
    customer.name = (customer.name or "").strip()
    _full_clean(customer)
    _check_duplicates(customer, contacts, allow_duplicate)
    customer.save()
    _set_contacts(customer, contacts)
    _set_tags(customer, tags)
    return customer


@transaction.atomic
def update_customer(*, customer_id: int, actor=None, contacts=None, tags=None, allow_duplicate: bool = False,
                    **data) -> Customer:
    """Fields not given stay as they are; ``contacts``, when given, replace the list."""
    customer = Customer.objects.get(pk=customer_id)
    Distributor.objects.select_for_update().get(pk=customer.distributor_id)
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    new_status = data.get("status", customer.status)
    if new_status != customer.status and new_status not in Customer.TRANSITIONS.get(customer.status, ()):
        if new_status not in Customer.Status.values:
            raise ValidationFailed(fields={"status": [_("Unknown status.")]})
        raise InvalidTransition(customer.status, new_status)
    if "owner" in data:
        _check_owner(customer.distributor_id, data["owner"])
        customer.owner = data["owner"]
    for key in CUSTOMER_FIELDS:
        if key in data:
            setattr(customer, key, data[key].strip() if key == "name" and isinstance(data[key], str) else data[key])
    _full_clean(customer)
    cleaned = _clean_contacts(contacts) if contacts is not None else None
    if cleaned is not None or "name" in data:
        phones = [c["phone"] for c in cleaned] if cleaned is not None else list(
            customer.contacts.values_list("phone", flat=True))
        _check_duplicates(customer, [{"phone": p} for p in phones], allow_duplicate)
    customer.save()
    if cleaned is not None:
        _set_contacts(customer, cleaned)
    if tags is not None:
        _set_tags(customer, tags)
    return customer


# --- follow-ups and needs ------------------------------------------------------------


@transaction.atomic
def add_follow_up(*, customer_id: int, actor, date: dt.date, channel: str, summary: str, next_step: str = "",
                  next_date: dt.date | None = None) -> FollowUp:
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    today = timezone.localdate()
    errors = {}
    if date and date > today:
        errors["date"] = [_("A follow-up cannot be in the future: plan it as the next follow-up instead.")]
    if next_date and date and next_date < date:
        errors["next_date"] = [_("The next follow-up cannot be before this one.")]
    follow_up = FollowUp(customer=customer, date=date, channel=channel, summary=(summary or "").strip(),
                         next_step=(next_step or "").strip(), next_date=next_date,
                         created_by=actor if getattr(actor, "pk", None) else None)
    try:
        follow_up.full_clean(exclude=["customer", "created_by"])
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationFailed(fields=errors)
    follow_up.save()
    latest = FollowUp.objects.filter(customer=customer).order_by("-date", "-id").first()
    customer.last_contact_date = latest.date
    customer.next_follow_up_date = latest.next_date
    fields = ["last_contact_date", "next_follow_up_date", "updated_at"]
    if channel == FollowUp.Channel.ORDER and (customer.last_order_date or date) <= date:
        customer.last_order_date = date
        fields.append("last_order_date")
    customer.save(update_fields=fields)
    return follow_up


@transaction.atomic
def add_need(*, customer_id: int, actor, need: str, category: str, priority: str) -> CustomerNeed:
    customer = Customer.objects.get(pk=customer_id)
    obj = CustomerNeed(customer=customer, need=(need or "").strip(), category=category, priority=priority,
                       created_by=actor if getattr(actor, "pk", None) else None)
    try:
        obj.full_clean(exclude=["customer", "created_by"])
    except ValidationError as exc:
        raise ValidationFailed(fields=exc.message_dict) from exc
    obj.save()
    return obj


@transaction.atomic
def set_need_status(*, need_id: int, actor, status: str) -> CustomerNeed:
    need = CustomerNeed.objects.select_for_update().get(pk=need_id)
    if need.status == status:
        return need  # a retry is a no-op
    if status not in CustomerNeed.TRANSITIONS.get(need.status, ()):
        raise InvalidTransition(need.status, status)
    need.status = status
    need.closed_at = None if status == CustomerNeed.Status.OPEN else timezone.now()
    need.save(update_fields=["status", "closed_at"])
    return need


# --- reminders -----------------------------------------------------------------------


def due_follow_ups(today: dt.date):
    """Planned follow-ups that are due, not reminded yet and not overtaken by a later
    follow-up of the same customer (recording one settles the earlier plan)."""
    later = FollowUp.objects.filter(customer=OuterRef("customer"), date__gte=OuterRef("date"),
                                    id__gt=OuterRef("id"))
    return (FollowUp.objects.filter(next_date__lte=today, reminded_at__isnull=True)
            .exclude(customer__status=Customer.Status.LOST)
            .exclude(Exists(later)).select_related("customer", "created_by", "customer__owner"))


def _recipient(follow_up):
    customer = follow_up.customer
    for user in (follow_up.created_by, customer.owner):
        if user is not None and user.is_active and user.distributor_id == customer.distributor_id:
            return user
    return (User.objects.filter(distributor_id=customer.distributor_id, is_active=True,
                                groups__name=Role.DISTRIBUTOR_ADMIN).order_by("pk").first())


def send_follow_up_reminders(today: dt.date) -> int:
    """Tell the distributor user who owns each due follow-up, once: the row is claimed with
    a conditional UPDATE, so a second run (or a concurrent one) sends nothing."""
    sent = 0
    for follow_up in due_follow_ups(today):
        with transaction.atomic():
            claimed = FollowUp.objects.filter(pk=follow_up.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now())
            user = _recipient(follow_up)
            if not claimed or user is None:
                continue
            customer = follow_up.customer
            title = _("Follow up with %(name)s (due %(date)s)") % {"name": customer.name,
                                                                   "date": follow_up.next_date.isoformat()}
            body = follow_up.next_step or follow_up.summary
            url = reverse("crm_portal:detail", args=[customer.pk])
            transaction.on_commit(lambda u=user, t=title, b=body, link=url: notify(
                [u], category=Category.CUSTOMER, title=t, body=b, url=link))
            sent += 1
    return sent
