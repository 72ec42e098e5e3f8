"""Notification pages, shared by staff and distributor users: each user sees only his own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dms.core.lists import paginate, render_list
from dms.core.redirects import internal_path

from . import services
from .forms import NotificationFilterForm, PreferencesForm
from .models import Notification, Preference


@login_required
def notification_list(request):
    form = NotificationFilterForm(request.GET or None)
    qs = Notification.objects.filter(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["show"] == "unread":
            qs = qs.filter(read_at__isnull=True)
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["search"].strip():
            term = data["search"].strip()
            qs = qs.filter(Q(title__icontains=term) | Q(body__icontains=term))
    page_obj = paginate(request, qs.order_by("-created_at", "-id"))
    context = {"nav": "notifications", "form": form, "page_obj": page_obj,
               "filtered": any(request.GET.get(k) for k in ("show", "category", "search"))}
    return render_list(request, "notifications/list.html", context)


@login_required
@require_POST
def mark_read(request):
    """Mark all (or the posted ``id``s) of the user's notifications read."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    count = services.mark_read(user=request.user, ids=ids)
    if ids is None:
        messages.success(request, _("All notifications marked as read."))
    elif count:
        messages.success(request, _("Marked as read."))
    return redirect(internal_path(request.POST.get("next"), reverse("notifications:list")))


@login_required
def open_notification(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(user=request.user, ids=[notification.pk])
    return redirect(internal_path(notification.url, reverse("notifications:list")))


@never_cache
@login_required
def bell(request):
    """The unread count, as a fragment that keeps polling itself (HTMX)."""
    return render(request, "notifications/bell.html", {"count": services.unread_count(request.user)})


@login_required
def preferences(request):
    prefs = {p.category: (p.in_app, p.email) for p in Preference.objects.filter(user=request.user)}
    form = PreferencesForm(request.POST or None, prefs=prefs)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(user=request.user, choices=form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"nav": "notifications", "form": form})
