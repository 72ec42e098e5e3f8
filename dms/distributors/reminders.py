"""Reminder sources and daily jobs of the distributors area (see dms.notifications)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dms.notifications.jobs import register_job
from dms.notifications.models import Category
from dms.notifications.reminders import Source, register

from . import services
from .models import Contract, Review, detail_url

register(Source(
    key="contract_end",
    label=_("Contract end date"),
    queryset=lambda: Contract.objects.filter(status=Contract.Status.ACTIVE).select_related("distributor"),
    date_field="end_date",
    category=Category.CONTRACT,
    distributor=lambda c: c.distributor,
    url=lambda c: reverse("distributors:contract", args=[c.pk]),
))
register(Source(
    key="qualification_valid_to",
    label=_("Qualification expiry date"),
    queryset=lambda: services.current_qualifications_all().select_related("distributor"),
    date_field="valid_to",
    category=Category.QUALIFICATION,
    distributor=lambda q: q.distributor,
    url=lambda q: detail_url(q.distributor_id, "qualifications"),
))
register(Source(
    key="review_due",
    label=_("Review due date"),
    queryset=lambda: Review.objects.filter(status=Review.Status.PENDING).select_related("distributor"),
    date_field="due_date",
    category=Category.REVIEW,
    distributor=lambda r: r.distributor,
    url=lambda r: reverse("distributors:review", args=[r.pk]),
))

register_job("expire_contracts")(services.expire_contracts)
register_job("flag_expired_qualifications")(services.flag_expired_qualifications)
register_job("open_due_reviews")(services.open_due_reviews)


