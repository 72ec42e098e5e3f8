"""Portal pages: the announcements addressed to the user's distributor (pinned first,
unread marked; opening one records the read receipt) and the conversations with the
brand. Another distributor's announcement or thread is a 404, like a missing one."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from dms.core.files import serve_private_file
from dms.core.lists import paginate, render_list
from dms.core.permissions import portal_view

from . import pages, selectors, services
from .forms import PortalThreadForm
from .markup import render_body
from .models import AnnouncementAttachment, Thread

BASE = "portal/base.html"


def _visible(request):
    return selectors.announcements_for_distributor(request.user.distributor, request.user)


@portal_view("comms.view_announcement")
def announcements(request):
    qs = _visible(request)
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(title__icontains=search)
    if request.GET.get("unread"):
        qs = qs.filter(is_read=False)
    return render_list(request, "comms/portal/announcements.html", {
        "nav": "announcements", "page_obj": paginate(request, qs), "search": search,
        "unread": bool(request.GET.get("unread"))})


@require_GET
@portal_view("comms.view_announcement")
def announcement_detail(request, pk):
    announcement = get_object_or_404(_visible(request), pk=pk)
    services.mark_announcement_read(announcement=announcement, user=request.user)
    return render(request, "comms/portal/announcement.html", {
        "nav": "announcements", "announcement": announcement, "body": render_body(announcement),
        "attachments": announcement.attachments.all()})


@portal_view("comms.view_announcement")
def announcement_file(request, pk):
    attachment = get_object_or_404(AnnouncementAttachment, pk=pk)
    get_object_or_404(_visible(request), pk=attachment.announcement_id)
    return serve_private_file(attachment.file, attachment.name)


@portal_view("comms.view_thread")
def threads(request):
    qs = selectors.threads_for(request.user)
    search = request.GET.get("search", "").strip()
    if search:
        qs = qs.filter(subject__icontains=search)
    status = request.GET.get("status", "")
    if status in Thread.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("unread"):
        qs = qs.filter(unread__gt=0)
    return render_list(request, "comms/portal/threads.html", {
        "nav": "threads", "page_obj": paginate(request, qs), "search": search, "status": status,
        "statuses": Thread.Status.choices, "unread": bool(request.GET.get("unread"))})


@portal_view("comms.add_thread")
def thread_create(request):
    initial = {k: request.GET[k] for k in ("order", "shipment") if request.GET.get(k, "").isdigit()}
    form = PortalThreadForm(request.POST or None, request.FILES or None, initial=initial,
                            distributor_id=request.user.distributor_id)
    if request.method == "POST" and form.is_valid():
        done = pages.start(request, form, request.user.distributor, ns="comms_portal")
        if done:
            return done
    return render(request, "comms/thread_form.html", {"nav": "threads", "form": form, "base": BASE,
                                                      "list_url": "comms_portal:threads"},
                  status=400 if form.errors else 200)


@require_GET
@portal_view("comms.view_thread")
def thread_detail(request, pk):
    return pages.thread_page(request, pk, ns="comms_portal", base=BASE, nav="threads")


@require_GET
@portal_view("comms.view_thread")
def thread_messages(request, pk):
    return pages.new_messages(request, pk, ns="comms_portal")


@require_POST
@portal_view("comms.add_message")
def thread_post(request, pk):
    return pages.post(request, pk, ns="comms_portal", base=BASE, nav="threads")


@require_POST
@portal_view("comms.change_thread")
def thread_status(request, pk):
    return pages.change_status(request, pk, ns="comms_portal")


@portal_view("comms.view_thread")
def message_file(request, pk):
    return pages.message_file(request, pk)
