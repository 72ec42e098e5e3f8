"""Notifications about market feedback, sent after commit."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from dms.notifications.models import Category
from dms.notifications.services import notify

from .models import Feedback


def feedback_submitted(feedback_id: int) -> None:
    """New feedback → the distributor's channel manager."""
    with scopes_disabled():
        fb = Feedback.objects.select_related("distributor__channel_manager").get(pk=feedback_id)
        manager = fb.distributor.channel_manager
        if manager is None:
            return
        notify([manager], category=Category.FEEDBACK,
               title=_("New market feedback from %(name)s: %(title)s") % {"name": fb.distributor.name,
                                                                          "title": fb.title},
               body=f"{fb.number} · {fb.get_category_display()} · {fb.rating}/5",
               url=reverse("marketing:feedback_detail", args=[fb.pk]))


def feedback_responded(feedback_id: int) -> None:
    """A response → the distributor user who submitted it."""
    with scopes_disabled():
        fb = Feedback.objects.select_related("submitted_by").get(pk=feedback_id)
        if fb.submitted_by is None:
            return
        notify([fb.submitted_by], category=Category.FEEDBACK,
               title=_("The brand answered your feedback %(number)s") % {"number": fb.number},
               body=fb.response[:200], url=reverse("marketing_portal:feedback_detail", args=[fb.pk]))
