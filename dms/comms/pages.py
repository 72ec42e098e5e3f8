"""What the back-office and portal thread pages share: the conversation, the polled
fragment of new messages, posting, closing and reopening, attachments. ``ns`` is the URL
namespace ("comms" or "comms_portal"), ``base`` the layout the page extends."""

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dms.core.errors import DomainError, ValidationFailed
from dms.core.files import serve_private_file
from dms.core.forms import apply_service_errors

from . import selectors, services
from .forms import MessageForm
from .models import MessageAttachment, Thread


def get_thread(request, pk) -> Thread:
    try:
        return selectors.thread_detail(request.user, pk)
    except Thread.DoesNotExist:
        raise Http404 from None


def _urls(ns, thread):
    return {"ns": ns, "file_route": f"{ns}:message_file"}


def thread_page(request, pk, *, ns, base, nav, form=None):
    thread = get_thread(request, pk)
    items = list(selectors.messages_of(thread))
    last_id = items[-1].pk if items else 0
    services.mark_thread_read(thread=thread, user=request.user, up_to=last_id)
    context = {
        "nav": nav, "base": base, "thread": thread, "items": items, "last_id": last_id,
        "unread_before": thread.last_read, "form": form or MessageForm(),
        "can_write": request.user.has_perm("comms.add_message") and thread.status == Thread.Status.OPEN,
        "can_change": request.user.has_perm("comms.change_thread"), **_urls(ns, thread),
    }
    return render(request, "comms/thread.html", context, status=400 if form else 200)


def new_messages(request, pk, *, ns):
    """The HTMX poll: messages after ``?after=`` and the next poller (read as they arrive)."""
    thread = get_thread(request, pk)
    try:
        after = max(int(request.GET.get("after", 0)), 0)
    except ValueError:
        after = 0
    items = list(selectors.messages_of(thread, after))
    last_id = items[-1].pk if items else after
    if items:
        services.mark_thread_read(thread=thread, user=request.user, up_to=last_id)
    return render(request, "comms/_messages.html",
                  {"thread": thread, "items": items, "last_id": last_id, "poll": True, "unread_before": after,
                   **_urls(ns, thread)})


def post(request, pk, *, ns, base, nav):
    thread = get_thread(request, pk)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.post_message(thread_id=thread.pk, body=form.cleaned_data["body"], actor=request.user,
                                  attachments=form.cleaned_data["attachments"])
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect(f"{ns}:thread", pk=thread.pk)
    return thread_page(request, thread.pk, ns=ns, base=base, nav=nav, form=form)


def change_status(request, pk, *, ns):
    thread = get_thread(request, pk)
    target = Thread.Status.CLOSED if request.POST.get("action") == "close" else Thread.Status.OPEN
    try:
        services.set_thread_status(thread_id=thread.pk, status=target, actor=request.user)
    except DomainError as exc:
        flash.error(request, str(exc.message))
    else:
        flash.success(request, _("Conversation closed.") if target == Thread.Status.CLOSED
                      else _("Conversation reopened."))
    return redirect(f"{ns}:thread", pk=thread.pk)


def message_file(request, pk):
    attachment = get_object_or_404(MessageAttachment.objects.select_related("message__thread"), pk=pk)
    get_thread(request, attachment.message.thread_id)  # the distributor user's own, or the staff scope
    return serve_private_file(attachment.file, attachment.name)


def start(request, form, distributor, *, ns):
    """Start a thread from a valid form; returns a redirect, or None with errors on the form."""
    data = form.cleaned_data
    try:
        thread = services.start_thread(distributor=distributor, subject=data["subject"], body=data["body"],
                                       actor=request.user, order=data.get("order"), shipment=data.get("shipment"),
                                       attachments=data["attachments"])
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
    except DomainError as exc:
        form.add_error(None, str(exc.message))
    else:
        flash.success(request, _("Message sent."))
        return redirect(f"{ns}:thread", pk=thread.pk)
    return None
