"""The audit log page: who changed what, when, from where."""

from django.utils.translation import gettext as _

from dms.core.excel import xlsx_response
from dms.core.lists import paginate, render_list
from dms.core.permissions import staff_view

from .selectors import AuditLogFilter, audit_records_for, changes_text, model_label, record_url, with_change_rows


def _readable_chunks(qs, size=500):
    """The records with readable changes, naming related objects a chunk at a time."""
    chunk = []
    for record in qs.iterator(chunk_size=size):
        chunk.append(record)
        if len(chunk) == size:
            yield from with_change_rows(chunk)
            chunk = []
    yield from with_change_rows(chunk)


@staff_view("audit.view_auditlog")
def audit_list(request):
    filterset = AuditLogFilter(request.GET or None, queryset=audit_records_for(request.user))
    qs = filterset.qs.order_by("-created_at", "-id")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "audit-log",
            [_("Time"), _("User"), _("IP address"), _("Action"), _("Record type"), _("Record id"), _("Record"),
             _("Distributor ID"), _("Changes"), _("Message")],
            (
                [r.created_at, r.actor_name, r.ip, r.get_action_display(), model_label(r.model), r.object_id,
                 r.object_repr, r.distributor_id, changes_text(r), r.message]
                for r in _readable_chunks(qs)
            ),
            sheet_title=_("Audit log"),
        )
    page_obj = paginate(request, qs)
    page_obj.object_list = with_change_rows(page_obj.object_list)
    for record in page_obj:
        record.type_label = model_label(record.model)
        record.url = record_url(record)
    context = {"nav": "audit", "filter": filterset, "page_obj": page_obj}
    return render_list(request, "audit/audit_list.html", context)
