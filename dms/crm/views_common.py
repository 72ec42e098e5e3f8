"""What the portal and back-office customer lists share: sorting, the list context and
the Excel export (the same columns for the distributor and for permitted staff)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.excel import xlsx_response
from dms.core.lists import paginate
from dms.distributors.filters import order_by_param

from .filters import CUSTOMER_ORDERING, CustomerFilter


def list_context(request, filterset, qs) -> dict:
    qs = order_by_param(qs, request.GET.get("sort", ""), CUSTOMER_ORDERING, "name")
    active = [k for k in CustomerFilter.Meta.fields if request.GET.get(k)]
    return {"page_obj": paginate(request, qs), "filterset": filterset, "filters_active": bool(active),
            "q": request.GET, "types": filterset.filters["type"].extra["choices"],
            "statuses": filterset.filters["status"].extra["choices"],
            "activities": filterset.filters["activity"].extra["choices"],
            "needs": filterset.filters["need"].extra["choices"], "today": timezone.localdate()}



def export_customers(qs, *, with_distributor: bool):
    headers = [_("Name"), _("Type"), _("Status"), _("Region"), _("Address"), _("Contacts"), _("Tags"), _("Owner"),
               _("Last contact"), _("Next follow-up"), _("Last order"), _("Notes"), _("Created at")]
    if with_distributor:
        headers = [_("Distributor code"), _("Distributor"), *headers]

    def row(c):
        contacts = "; ".join(" ".join(p for p in (x.name, x.title, x.phone, x.email) if p) for x in c.contacts.all())
        owner = (c.owner.get_full_name() or c.owner.username) if c.owner else ""
        values = [c.name, c.get_type_display(), c.get_status_display(), c.region_name, c.address, contacts,
                  ", ".join(t.name for t in c.tags.all()), owner, c.last_contact_date, c.next_follow_up_date,
                  c.last_order_date, c.notes, c.created_at]
        return [c.distributor.code, c.distributor.name, *values] if with_distributor else values

    return xlsx_response("customers", headers, (row(c) for c in qs.iterator(chunk_size=1000)),
                         sheet_title=_("Customers"))
