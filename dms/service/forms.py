"""Forms of the ticket pages. They parse input; the services check the rules (links to the
distributor's own orders, shipments and products, file contents) and their field errors are
put back with ``dms.core.forms.apply_service_errors``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dms.accounts.models import User
from dms.catalog.models import Product
from dms.distributors.models import Distributor
from dms.logistics.models import Shipment
from dms.orders.models import Order

from .models import Priority, Ticket, TicketType

FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": FILE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class TicketForm(forms.Form):
    """Raise a ticket; the order, shipment and product lists offer the distributor's own."""

    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    order = forms.TypedChoiceField(label=_("Order"), required=False, coerce=int, empty_value=None)
    shipment = forms.TypedChoiceField(label=_("Shipment"), required=False, coerce=int, empty_value=None)
    product = forms.TypedChoiceField(label=_("Product"), required=False, coerce=int, empty_value=None)
    batch_number = forms.CharField(label=_("Batch number"), max_length=64, required=False)
    attachments = MultipleFileField(label=_("Photos or documents (PDF, JPG, PNG)"))

    def __init__(self, *args, distributor_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        none = [("", "—")]
        orders = Order.objects.filter(distributor_id=distributor_id).exclude(status=Order.Status.DRAFT)
        self.fields["order"].choices = none + [(o.pk, o.number) for o in orders.order_by("-created_at")[:200]]
        shipments = Shipment.objects.filter(distributor_id=distributor_id).exclude(status=Shipment.Status.CANCELLED)
        self.fields["shipment"].choices = none + [(s.pk, s.number) for s in shipments.order_by("-created_at")[:200]]
        products = Product.objects.filter(order_lines__order__distributor_id=distributor_id).distinct()
        self.fields["product"].choices = none + [(p.pk, f"{p.sku} {p.name}") for p in products.order_by("sku")]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"type": data["type"], "priority": data["priority"], "subject": data["subject"],
                "description": data["description"], "order_id": data["order"], "shipment_id": data["shipment"],
                "product_id": data["product"], "batch_number": data["batch_number"],
                "attachments": data["attachments"]}


class StaffTicketForm(TicketForm):
    """Staff raise a ticket for a distributor in their scope."""

    field_order = ["distributor"]
    distributor = forms.ModelChoiceField(label=_("Distributor"), queryset=Distributor.objects.none())

    def __init__(self, *args, distributor_id=None, **kwargs):
        super().__init__(*args, distributor_id=distributor_id, **kwargs)
        self.fields["distributor"].queryset = Distributor.objects.filter(status=Distributor.Status.ACTIVE)
        self.fields["distributor"].initial = distributor_id


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal note (the distributor never sees it)"), required=False)
    attachments = MultipleFileField(label=_("Attachments"))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_users()
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("Rating"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)],
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def staff_users():
    return (User.objects.filter(is_active=True, distributor__isnull=True, groups__name__in=[
        "admin", "channel_manager", "sales_ops", "warehouse"]).distinct().order_by("last_name", "first_name",
                                                                                   "username"))


STATUS_ACTIONS = {
    Ticket.Status.IN_PROGRESS: _("Start work"),
    Ticket.Status.WAITING: _("Wait on distributor"),
    Ticket.Status.CLOSED: _("Close"),
    Ticket.Status.OPEN: _("Reopen"),
}
