"""Back-office pages: announcements (list, create, edit, publish, archive, read receipts
with export) and the message-thread inbox. Every page is for brand staff; threads and
receipts run in the request's tenant scope, announcements go through
``selectors.announcements_for_staff`` (a channel manager never opens one addressed only to
another manager's distributor)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dms.core.errors import DomainError, ValidationFailed
from dms.core.excel import xlsx_response
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors
from dms.core.lists import paginate, render_list
from dms.core.permissions import staff_view
from dms.distributors.filters import order_by_param
from dms.distributors.models import Distributor

from . import pages, selectors, services
from .filters import ANNOUNCEMENT_ORDERING, THREAD_ORDERING, AnnouncementFilter, ThreadFilter
from .forms import AnnouncementForm, StaffThreadForm
from .markup import render_body
from .models import Announcement, AnnouncementAttachment, Thread

VIEW = "comms.view_announcement"
ADD = "comms.add_announcement"
CHANGE = "comms.change_announcement"
PUBLISH = "comms.publish_announcement"
VIEW_THREAD = "comms.view_thread"
BASE = "backoffice/base.html"


def _announcement(request, pk) -> Announcement:
    return get_object_or_404(selectors.announcements_for_staff(request.user), pk=pk)


# --- announcements ---------------------------------------------------------------------


@staff_view(VIEW)
def announcement_list(request):
    base = selectors.announcements_for_staff(request.user).select_related("created_by")
    filterset = AnnouncementFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    qs = order_by_param(qs, request.GET.get("sort", ""), ANNOUNCEMENT_ORDERING, "-created_at")
    if request.GET.get("export") == "xlsx":
        headers = [_("Title"), _("Status"), _("Pinned"), _("Publish at"), _("Expires at"), _("Created by")]
        rows = ([a.title, a.get_status_display(), _("Yes") if a.pinned else "", a.publish_at, a.expires_at,
                 a.created_by.get_full_name() if a.created_by else ""] for a in qs)
        return xlsx_response("announcements", headers, rows, sheet_title=_("Announcements"))
    context = {"nav": "announcements", "page_obj": paginate(request, qs), "q": request.GET,
               "statuses": Announcement.Status.choices,
               "filters_active": any(request.GET.get(k) for k in AnnouncementFilter.Meta.fields)}
    return render_list(request, "comms/announcement_list.html", context)


def _save_announcement(request, announcement=None):
    form = AnnouncementForm(request.POST or None, request.FILES or None, announcement=announcement)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["attachments"]
        try:
            if announcement is None:
                announcement = services.create_announcement(data=form.service_data(), attachments=files,
                                                            actor=request.user)
            else:
                services.update_announcement(
                    announcement_id=announcement.pk, data=form.service_data(), attachments=files,
                    remove_attachments=[a.pk for a in form.cleaned_data.get("remove_attachments") or []],
                    actor=request.user)
        except ValidationFailed as exc:
            apply_service_errors(form, exc, {"target_all": "audience"})
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Announcement saved."))
            return redirect("comms:announcement", pk=announcement.pk)
    return render(request, "comms/announcement_form.html",
                  {"nav": "announcements", "form": form, "announcement": announcement},
                  status=400 if form.errors else 200)


@staff_view(ADD)
def announcement_create(request):
    return _save_announcement(request)


@staff_view(CHANGE)
def announcement_edit(request, pk):
    return _save_announcement(request, _announcement(request, pk))


def _receipts_export(announcement, data):
    headers = [_("Distributor code"), _("Distributor"), _("Tier"), _("User"), _("Name"), _("Read at")]
    rows = ([r["distributor"].code, r["distributor"].name, str(r["distributor"].tier), p["user"].username,
             p["user"].get_full_name(), p["read_at"] or _("Not read")]
            for r in data["rows"] for p in (r["users"] or [{"user": None, "read_at": None}]) if p["user"])
    return xlsx_response(f"announcement-{announcement.pk}-receipts", headers, rows, sheet_title=_("Read receipts"))


@require_GET
@staff_view(VIEW)
def announcement_detail(request, pk):
    announcement = _announcement(request, pk)
    data = selectors.receipts(announcement)
    if request.GET.get("export") == "xlsx":
        return _receipts_export(announcement, data)
    show = request.GET.get("show", "")
    rows = data["rows"]
    if show == "unread":
        rows = [r for r in rows if not r["read"]]
    elif show == "read":
        rows = [r for r in rows if r["read"]]
    context = {
        "nav": "announcements", "announcement": announcement, "body": render_body(announcement),
        "receipts": data, "rows": rows, "show": show,
        "tiers": announcement.tiers.all(), "named": announcement.distributors.all(),
        "provinces": [(c, n) for c, n in AnnouncementForm().fields["provinces"].choices
                      if c in announcement.province_codes],
        "can_edit": request.user.has_perm(CHANGE) and announcement.status != Announcement.Status.ARCHIVED,
        "can_publish": request.user.has_perm(PUBLISH),
    }
    return render(request, "comms/announcement_detail.html", context)


def _transition(request, pk, service, done):
    announcement = _announcement(request, pk)
    try:
        service(announcement_id=announcement.pk, actor=request.user)
    except DomainError as exc:
        fields = "; ".join(str(e) for errs in exc.fields.values() for e in errs)
        messages.error(request, f"{exc.message} {fields}".strip())
    else:
        messages.success(request, done)
    return redirect("comms:announcement", pk=announcement.pk)


@require_POST
@staff_view(PUBLISH)
def announcement_publish(request, pk):
    return _transition(request, pk, services.publish_announcement,
                       _("Published: the distributors it is addressed to are notified when it goes live."))


@require_POST
@staff_view(PUBLISH)
def announcement_archive(request, pk):
    return _transition(request, pk, services.archive_announcement, _("Archived: distributors no longer see it."))


@staff_view(VIEW)
def announcement_file(request, pk):
    attachment = get_object_or_404(AnnouncementAttachment, pk=pk)
    _announcement(request, attachment.announcement_id)
    return serve_private_file(attachment.file, attachment.name)


# --- threads ---------------------------------------------------------------------------


@staff_view(VIEW_THREAD)
def thread_list(request):
    base = selectors.threads_for(request.user)
    filterset = ThreadFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    if request.GET.get("mine"):
        qs = qs.filter(selectors.participating_q(request.user))
    qs = order_by_param(qs, request.GET.get("sort", ""), THREAD_ORDERING, "-last_message_at")
    distributor_id = request.GET.get("distributor", "")
    context = {
        "nav": "threads", "page_obj": paginate(request, qs), "q": request.GET, "statuses": Thread.Status.choices,
        "filters_active": any(request.GET.get(k) for k in [*ThreadFilter.Meta.fields, "mine"]),
        "distributors": Distributor.objects.filter(threads__isnull=False).distinct().order_by("code"),
        "distributor_id": int(distributor_id) if distributor_id.isdigit() else None,
    }
    return render_list(request, "comms/thread_list.html", context)


@staff_view("comms.add_thread")
def thread_create(request):
    initial = {"distributor": request.GET.get("distributor")} if request.GET.get("distributor") else None
    form = StaffThreadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = pages.start(request, form, form.cleaned_data["distributor"], ns="comms")
        if done:
            return done
    return render(request, "comms/thread_form.html", {"nav": "threads", "form": form, "base": BASE,
                                                      "list_url": "comms:threads"},
                  status=400 if form.errors else 200)


@require_GET
@staff_view(VIEW_THREAD)
def thread_detail(request, pk):
    return pages.thread_page(request, pk, ns="comms", base=BASE, nav="threads")


@require_GET
@staff_view(VIEW_THREAD)
def thread_messages(request, pk):
    return pages.new_messages(request, pk, ns="comms")


@require_POST
@staff_view("comms.add_message")
def thread_post(request, pk):
    return pages.post(request, pk, ns="comms", base=BASE, nav="threads")


@require_POST
@staff_view("comms.change_thread")
def thread_status(request, pk):
    return pages.change_status(request, pk, ns="comms")


@staff_view(VIEW_THREAD)
def message_file(request, pk):
    return pages.message_file(request, pk)
