"""Every change to distributor information goes through these functions.

Views, the API, admin actions, jobs and commands all call them; each runs in one
transaction, locks the distributor row it changes and leaves an audit record (through
``AuditedModel``) and, where the distributor should know, a notification.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.errors import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from dms.core.files import validate_document
from dms.core.models import next_value
from dms.notifications.models import Category
from dms.notifications.services import notify

from .models import Contact, Contract, Distributor, Qualification, Review, ReviewDecision, ReviewStep, Tag, Tier
from .validators import normalize_uscc

DISTRIBUTOR_FIELDS = [
    "name", "legal_name", "credit_code", "tier", "parent", "region_code", "sales_territory", "address",
    "bank_name", "bank_account", "channel_manager",
]


def _full_clean(instance, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationFailed(fields=exc.message_dict) from exc


def _check_parent(distributor):
    if distributor.tier.level > 1 and distributor.parent is None:
        raise ValidationFailed(fields={"parent": [_("A distributor below the first tier needs a parent distributor.")]})
    if distributor.parent is not None:
        if distributor.parent.pk == distributor.pk:
            raise ValidationFailed(fields={"parent": [_("A distributor cannot be its own parent.")]})
        if distributor.parent.tier.level >= distributor.tier.level:
            raise ValidationFailed(fields={"parent": [_("The parent must be of a higher tier.")]})


def _set_tags(distributor, tags):
    if tags is None:
        return
    objs = [Tag.objects.get_or_create(name=name.strip()[:32])[0] for name in tags if name and name.strip()]
    distributor.tags.set(objs)


def _distributor_users(distributor):
    return list(distributor.users.filter(is_active=True))


def _save_distributor(distributor):
    """Save; a duplicate credit code in another scope (which the scoped uniqueness check
    cannot see) becomes a field error, not a server error."""
    try:
        with transaction.atomic():
            distributor.save()
    except IntegrityError as exc:
        raise ValidationFailed(fields={"credit_code": [_("A distributor with this credit code already exists.")]}) from exc


@transaction.atomic
def create_distributor(*, actor=None, contacts=None, tags=None, **data) -> Distributor:
    """Create a distributor in status ``prospect`` with a generated code."""
    data = {k: v for k, v in data.items() if k in DISTRIBUTOR_FIELDS}
    data["credit_code"] = normalize_uscc(data.get("credit_code", ""))
    if isinstance(data.get("tier"), int):
        data["tier"] = Tier.objects.filter(level=data["tier"]).first()
    if not data.get("tier"):
        raise ValidationFailed(fields={"tier": [_("Choose a tier.")]})
    distributor = Distributor(**data, status=Distributor.Status.PROSPECT)
    _full_clean(distributor, exclude=["code"])
    _check_parent(distributor)
    distributor.code = f"D{next_value('distributor'):05d}"
    distributor.status_changed_at = timezone.now()
    _save_distributor(distributor)
    _set_tags(distributor, tags)
    for i, contact in enumerate(contacts or []):
        _add_contact(distributor, {**contact, "is_primary": i == 0})
    return distributor


@transaction.atomic
def update_distributor(*, distributor_id, actor=None, tags=None, **data) -> Distributor:
    distributor = Distributor.objects.select_for_update().get(pk=distributor_id)
    for key, value in data.items():
        if key in DISTRIBUTOR_FIELDS:
            setattr(distributor, key, normalize_uscc(value) if key == "credit_code" else value)
    _full_clean(distributor)
    _check_parent(distributor)
    _save_distributor(distributor)
    _set_tags(distributor, tags)
    return distributor


def _transition(distributor, target, *, reason="", actor=None):
    if distributor.status == target:
        return distributor  # a retry is a no-op
    if target not in Distributor.TRANSITIONS.get(distributor.status, set()):
        raise InvalidTransition(distributor.get_status_display(), Distributor.Status(target).label)
    distributor.status = target
    distributor.status_reason = reason
    distributor.status_changed_at = timezone.now()
    distributor.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    return distributor


def _lock(distributor_id) -> Distributor:
    return Distributor.objects.select_for_update(of=("self",)).select_related("tier").get(pk=distributor_id)


def _first_step(kind):
    return ReviewStep.objects.filter(kind=kind, enabled=True).order_by("position").first()


def _open_review(distributor, kind, *, actor=None, due_date=None) -> Review:
    existing = Review.objects.filter(distributor=distributor, kind=kind, status=Review.Status.PENDING).first()
    if existing:
        return existing
    review = Review.objects.create(
        distributor=distributor, kind=kind, step=_first_step(kind), due_date=due_date,
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    reviewers = [distributor.channel_manager] if distributor.channel_manager else _admins()
    notify(reviewers, category=Category.REVIEW, title=_("Review to decide: %(d)s") % {"d": distributor},
           url=reverse("distributors:review", args=[review.pk]))
    return review


@transaction.atomic
def submit_distributor(*, distributor_id, actor=None) -> Distributor:
    """prospect → pending_review, opening an onboarding review."""
    distributor = _lock(distributor_id)
    if distributor.status == Distributor.Status.PENDING_REVIEW:
        return distributor
    _transition(distributor, Distributor.Status.PENDING_REVIEW, actor=actor)
    _open_review(distributor, Review.Kind.ONBOARDING, actor=actor, due_date=timezone.localdate() + dt.timedelta(days=7))
    return distributor


def _admins():
    from dms.accounts.models import User

    return list(User.objects.filter(is_active=True, distributor__isnull=True, groups__name="admin"))


def _notify_distributor(distributor, title, body="", url="", category=Category.ACCOUNT):
    users = _distributor_users(distributor) + [distributor.channel_manager]
    notify(users, category=category, title=title, body=body, url=url)


@transaction.atomic
def suspend_distributor(*, distributor_id, reason, actor=None) -> Distributor:
    """Suspended: its users' sessions and API tokens stop working at once."""
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Give a reason.")]})
    distributor = _transition(_lock(distributor_id), Distributor.Status.SUSPENDED, reason=reason, actor=actor)
    _revoke_tokens(distributor)
    _notify_distributor(distributor, _("Distributor %(d)s suspended") % {"d": distributor}, reason)
    return distributor


@transaction.atomic
def reactivate_distributor(*, distributor_id, reason="", actor=None) -> Distributor:
    """suspended → active. (A pending distributor becomes active only through its review.)"""
    distributor = _lock(distributor_id)
    if distributor.status not in (Distributor.Status.SUSPENDED, Distributor.Status.ACTIVE):
        raise InvalidTransition(distributor.get_status_display(), Distributor.Status.ACTIVE.label)
    distributor = _transition(distributor, Distributor.Status.ACTIVE, reason=reason, actor=actor)
    _notify_distributor(distributor, _("Distributor %(d)s reactivated") % {"d": distributor}, reason)
    return distributor


@transaction.atomic
def terminate_distributor(*, distributor_id, reason, actor=None) -> Distributor:
    if not (reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("Give a reason.")]})
    distributor = _transition(_lock(distributor_id), Distributor.Status.TERMINATED, reason=reason, actor=actor)
    _revoke_tokens(distributor)
    for contract in distributor.contracts.filter(status__in=[Contract.Status.ACTIVE, Contract.Status.DRAFT]):
        contract.status = Contract.Status.TERMINATED
        contract.save(update_fields=["status", "updated_at"])
    _notify_distributor(distributor, _("Distributor %(d)s terminated") % {"d": distributor}, reason)
    return distributor


def _revoke_tokens(distributor):
    from dms.accounts.models import ApiToken

    ApiToken.objects.filter(user__distributor=distributor).delete()


# --- reviews -------------------------------------------------------------------------


def can_decide(user, review) -> bool:
    if review.step is None:
        return user.is_admin
    return user.has_perm(review.step.permission)


def _lock_review(review_id, step_id) -> Review:
    """Lock the review; ``step_id`` (the step the decider saw) makes a double submit or two
    people deciding at once a conflict instead of a decision on the next step."""
    review = Review.objects.select_for_update(of=("self",)).select_related("step").get(pk=review_id)
    if review.status != Review.Status.PENDING or (step_id is not None and review.step_id != int(step_id)):
        raise Conflict(_("This review has already been decided."), code="invalid_transition")
    return review


@transaction.atomic
def approve_review(*, review_id, actor, comment="", step_id=None) -> Review:
    """Approve the current step; the last approval activates (onboarding) or renews
    (periodic) the distributor."""
    review = _lock_review(review_id, step_id)
    if not can_decide(actor, review):
        raise NotAllowed(_("This review step needs another role: %(step)s.") % {"step": review.step.name})
    ReviewDecision.objects.create(
        review=review, step=review.step, decision=ReviewDecision.Decision.APPROVED, comment=comment, actor=actor
    )
    next_step = (
        ReviewStep.objects.filter(kind=review.kind, enabled=True, position__gt=review.step.position)
        .order_by("position").first() if review.step else None
    )
    if next_step:
        review.step = next_step
        review.save(update_fields=["step"])
        return review
    review.status = Review.Status.APPROVED
    review.closed_at = timezone.now()
    review.save(update_fields=["status", "closed_at"])
    distributor = _lock(review.distributor_id)
    distributor.next_review_date = timezone.localdate() + relativedelta(months=distributor.tier.review_interval_months)
    distributor.save(update_fields=["next_review_date", "updated_at"])
    if review.kind == Review.Kind.ONBOARDING:
        _transition(distributor, Distributor.Status.ACTIVE, actor=actor)
        _create_first_user(distributor)
    _notify_distributor(distributor, _("Qualification review approved"), comment, category=Category.REVIEW)
    return review


@transaction.atomic
def reject_review(*, review_id, actor, comment, step_id=None) -> Review:
    if not (comment or "").strip():
        raise ValidationFailed(fields={"comment": [_("Say why the review is rejected.")]})
    review = _lock_review(review_id, step_id)
    if not can_decide(actor, review):
        raise NotAllowed(_("This review step needs another role: %(step)s.") % {"step": review.step.name})
    ReviewDecision.objects.create(
        review=review, step=review.step, decision=ReviewDecision.Decision.REJECTED, comment=comment, actor=actor
    )
    review.status = Review.Status.REJECTED
    review.closed_at = timezone.now()
    review.save(update_fields=["status", "closed_at"])
    distributor = _lock(review.distributor_id)
    if review.kind == Review.Kind.ONBOARDING:
        _transition(distributor, Distributor.Status.PROSPECT, reason=comment, actor=actor)
    else:
        distributor.qualification_flag = True
        distributor.save(update_fields=["qualification_flag", "updated_at"])
    _notify_distributor(distributor, _("Qualification review rejected"), comment, category=Category.REVIEW)
    return review


def _create_first_user(distributor):
    """On approval, create the distributor's first portal user (its administrator) and
    e-mail the primary contact a link to set the password."""
    from dms.accounts.services import create_portal_user

    if distributor.users.exists():
        return None
    contact = distributor.primary_contact
    return create_portal_user(
        distributor_id=distributor.pk, username=distributor.code.lower(), password=None,
        role="distributor_admin", email=contact.email if contact else "",
        first_name=contact.name if contact else "",
    )


@transaction.atomic
def open_due_reviews(today: dt.date) -> int:
    """Open a periodic review for every active distributor whose re-review date has come."""
    opened = 0
    due = Distributor.objects.filter(status=Distributor.Status.ACTIVE, next_review_date__lte=today)
    for distributor in due.select_related("channel_manager"):
        if not Review.objects.filter(distributor=distributor, kind=Review.Kind.PERIODIC,
                                     status=Review.Status.PENDING).exists():
            _open_review(distributor, Review.Kind.PERIODIC, due_date=distributor.next_review_date + dt.timedelta(days=30))
            opened += 1
    return opened


# --- contacts ------------------------------------------------------------------------

CONTACT_FIELDS = ["name", "title", "phone", "email", "is_primary"]


@transaction.atomic
def add_contact(*, distributor_id, actor=None, **data) -> Contact:
    return _add_contact(_lock(distributor_id), data)


def _add_contact(distributor, data) -> Contact:
    contact = Contact(distributor=distributor, **{k: v for k, v in data.items() if k in CONTACT_FIELDS})
    if not distributor.contacts.exists():
        contact.is_primary = True
    _full_clean(contact, exclude=["distributor"])
    if contact.is_primary:
        distributor.contacts.filter(is_primary=True).update(is_primary=False)
    contact.save()
    return contact


@transaction.atomic
def update_contact(*, contact_id, actor=None, **data) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    _lock(contact.distributor_id)
    for key, value in data.items():
        if key in CONTACT_FIELDS:
            setattr(contact, key, value)
    _full_clean(contact, exclude=["distributor"])
    if contact.is_primary:
        Contact.objects.filter(distributor_id=contact.distributor_id, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )
    contact.save()
    return contact


@transaction.atomic
def delete_contact(*, contact_id, actor=None):
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if contact.is_primary and Contact.objects.filter(distributor_id=contact.distributor_id).count() > 1:
        raise Conflict(_("Make another contact primary before deleting the primary contact."))
    contact.delete()


# --- qualifications ------------------------------------------------------------------

QUALIFICATION_FIELDS = ["type", "number", "issuer", "valid_from", "valid_to", "replaces"]


@transaction.atomic
def add_qualification(*, distributor_id, file=None, actor=None, **data) -> Qualification:
    """Add a qualification document. Uploaded by a distributor, it waits for verification."""
    distributor = _lock(distributor_id)
    qualification = Qualification(
        distributor=distributor, **{k: v for k, v in data.items() if k in QUALIFICATION_FIELDS}
    )
    if qualification.replaces_id and qualification.replaces.distributor_id != distributor.pk:
        raise ValidationFailed(fields={"replaces": [_("Choose one of this distributor's qualifications.")]})
    if qualification.valid_from and qualification.valid_to and qualification.valid_to < qualification.valid_from:
        raise ValidationFailed(fields={"valid_to": [_("The end date is before the start date.")]})
    if file is not None:
        ext = validate_document(file)
        qualification.original_filename = file.name[:255]
        file.name = f"upload.{ext}"
        qualification.file = file
    _full_clean(qualification, exclude=["distributor", "file"])
    qualification.save()
    if actor is not None and getattr(actor, "distributor_id", None):
        notify([distributor.channel_manager], category=Category.QUALIFICATION,
               title=_("New qualification to verify: %(d)s") % {"d": distributor},
               url=distributor.get_absolute_url("qualifications"))
    return qualification


@transaction.atomic
def verify_qualification(*, qualification_id, actor, approve: bool, comment="") -> Qualification:
    qualification = Qualification.objects.select_for_update().get(pk=qualification_id)
    if not approve and not comment.strip():
        raise ValidationFailed(fields={"comment": [_("Say why the document is rejected.")]})
    qualification.verification_status = (
        Qualification.Verification.VERIFIED if approve else Qualification.Verification.REJECTED
    )
    qualification.verified_by = actor
    qualification.verified_at = timezone.now()
    qualification.verification_comment = comment
    qualification.save()
    refresh_qualification_flag(qualification.distributor_id)
    _notify_distributor(
        qualification.distributor,
        (_("Qualification verified: %(q)s") if approve else _("Qualification rejected: %(q)s")) % {"q": qualification},
        comment,
        category=Category.QUALIFICATION,
    )
    return qualification


def current_qualifications_all():
    """Verified documents that no later verified document replaces."""
    verified = Qualification.objects.filter(verification_status=Qualification.Verification.VERIFIED)
    return verified.exclude(pk__in=verified.exclude(replaces=None).values("replaces_id"))


def current_qualifications(distributor_id):
    return current_qualifications_all().filter(distributor_id=distributor_id)


def refresh_qualification_flag(distributor_id, today=None) -> bool:
    today = today or timezone.localdate()
    distributor = _lock(distributor_id)
    expired = current_qualifications(distributor_id).filter(valid_to__lt=today).exists()
    if distributor.qualification_flag != expired:
        distributor.qualification_flag = expired
        distributor.save(update_fields=["qualification_flag", "updated_at"])
    return expired


@transaction.atomic
def flag_expired_qualifications(today: dt.date) -> int:
    """Flag distributors holding an expired current qualification (and clear the flag of
    those that renewed). Notifications come from the reminder rules."""
    ids = set(
        Qualification.objects.filter(verification_status=Qualification.Verification.VERIFIED, valid_to__lt=today)
        .values_list("distributor_id", flat=True)
    ) | set(Distributor.objects.filter(qualification_flag=True).values_list("pk", flat=True))
    return sum(1 for pk in sorted(ids) if refresh_qualification_flag(pk, today))


# --- contracts -----------------------------------------------------------------------

CONTRACT_FIELDS = [
    "number", "type", "start_date", "end_date", "territory", "product_lines", "annual_target_amount",
    "rebate_terms", "payment_terms", "deposit_amount",
]


def _contract_number():
    return f"HT{timezone.localdate():%Y}{next_value('contract'):05d}"


@transaction.atomic
def create_contract(*, distributor_id, actor=None, signed_file=None, activate=False, previous=None, **data) -> Contract:
    distributor = _lock(distributor_id)
    if distributor.status == Distributor.Status.TERMINATED:
        raise Conflict(_("A terminated distributor cannot get a new contract."))
    fields = {k: v for k, v in data.items() if k in CONTRACT_FIELDS and v not in (None, "")}
    contract = Contract(distributor=distributor, previous=previous, **fields)
    contract.number = contract.number or _contract_number()
    contract.created_by = actor if getattr(actor, "pk", None) else None
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        raise ValidationFailed(fields={"end_date": [_("The end date is before the start date.")]})
    if signed_file is not None:
        ext = validate_document(signed_file, field="signed_file")
        contract.original_filename = signed_file.name[:255]
        signed_file.name = f"signed.{ext}"
        contract.signed_file = signed_file
    _full_clean(contract, exclude=["distributor", "signed_file", "previous"])
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:  # the scoped uniqueness check cannot see other distributors' contracts
        raise ValidationFailed(fields={"number": [_("A contract with this number already exists.")]}) from exc
    if activate:
        _contract_transition(contract, Contract.Status.ACTIVE)
    return contract


def _contract_transition(contract, target):
    if contract.status == target:
        return contract
    if target not in Contract.TRANSITIONS.get(contract.status, set()):
        raise InvalidTransition(contract.get_status_display(), Contract.Status(target).label)
    contract.status = target
    contract.save(update_fields=["status", "updated_at"])
    return contract


@transaction.atomic
def activate_contract(*, contract_id, actor=None) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract_id)
    if contract.end_date < timezone.localdate():
        raise Conflict(_("This contract's period has already ended."), code="invalid_transition")
    return _contract_transition(contract, Contract.Status.ACTIVE)


@transaction.atomic
def terminate_contract(*, contract_id, actor=None) -> Contract:
    return _contract_transition(Contract.objects.select_for_update().get(pk=contract_id), Contract.Status.TERMINATED)


@transaction.atomic
def renew_contract(*, contract_id, actor=None, signed_file=None, **data) -> Contract:
    """Create the follow-on contract, linked to this one, which becomes ``renewed``."""
    old = Contract.objects.select_for_update().get(pk=contract_id)
    if Contract.Status.RENEWED not in Contract.TRANSITIONS.get(old.status, set()):
        raise InvalidTransition(old.get_status_display(), Contract.Status.RENEWED.label)
    defaults = {f: getattr(old, f) for f in CONTRACT_FIELDS if f not in ("number", "start_date", "end_date")}
    defaults["start_date"] = old.end_date + dt.timedelta(days=1)
    defaults["end_date"] = old.end_date + relativedelta(years=1)
    defaults.update({k: v for k, v in data.items() if v not in (None, "")})
    new = create_contract(distributor_id=old.distributor_id, actor=actor, signed_file=signed_file, previous=old,
                          activate=True, **defaults)
    _contract_transition(old, Contract.Status.RENEWED)
    return new


@transaction.atomic
def expire_contracts(today: dt.date) -> int:
    """Active contracts whose period has ended become ``expired``."""
    expired = 0
    for contract in Contract.objects.select_for_update().filter(status=Contract.Status.ACTIVE, end_date__lt=today):
        _contract_transition(contract, Contract.Status.EXPIRED)
        expired += 1
    return expired


# --- self-registration ---------------------------------------------------------------


def register_applicant(*, contact: dict, licence: dict | None = None, licence_file=None, parent_code: str = "",
                       **data) -> Distributor:
    """A company applies on the portal: it becomes a prospect with its primary contact and
    business licence, submitted for onboarding review at once. The applicant has no tenant
    yet, so this runs unscoped; it touches only the rows it creates."""
    from django_scopes import scopes_disabled

    with scopes_disabled(), transaction.atomic():
        parent = None
        if parent_code.strip():
            parent = Distributor.objects.filter(code__iexact=parent_code.strip(), status=Distributor.Status.ACTIVE).first()
            if parent is None:
                raise ValidationFailed(fields={"parent_code": [_("No active distributor has this code.")]})
        data["tier"] = Tier.objects.filter(level=parent.tier.level + 1).first() if parent else Tier.objects.order_by(
            "level").first()
        if parent and data["tier"] is None:
            raise ValidationFailed(fields={"parent_code": [_("This distributor cannot have sub-distributors.")]})
        data["parent"] = parent
        data["channel_manager"] = parent.channel_manager if parent else None
        distributor = create_distributor(contacts=[contact], **data)
        if licence_file is not None or licence:
            add_qualification(distributor_id=distributor.pk, file=licence_file,
                              type=Qualification.Type.BUSINESS_LICENCE, **(licence or {}))
        return submit_distributor(distributor_id=distributor.pk)
