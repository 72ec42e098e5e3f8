"""Back-office forms for visits. Forms only parse input; the services check the rules and
their field errors are put back with ``dms.core.forms.apply_service_errors``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dms.distributors.models import Distributor

from . import selectors
from .models import Visit, VisitAction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _user_label(user):
    return user.get_full_name() or user.username


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _user_label(obj)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _user_label(obj)


class PlanForm(forms.Form):
    distributor = forms.ModelChoiceField(label=_("Distributor"), queryset=Distributor.objects.none())
    planned_date = forms.DateField(label=_("Planned for"), widget=DATE)
    type = forms.ChoiceField(label=_("Type"), choices=Visit.Type.choices)
    manager = StaffChoiceField(label=_("Visited by"), queryset=selectors.managers(), required=False,
                               help_text=_("Leave empty for the distributor's channel manager."))
    topics = forms.CharField(label=_("Topics to discuss"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Scoped: a channel manager plans only for his own distributors.
        self.fields["distributor"].queryset = Distributor.objects.filter(status=Distributor.Status.ACTIVE)


class RecordForm(forms.Form):
    """What happened at the visit."""

    visit_date = forms.DateField(label=_("Visit date"), widget=DATE)
    type = forms.ChoiceField(label=_("Type"), choices=Visit.Type.choices)
    participants = forms.CharField(label=_("Distributor participants"), max_length=255, required=False,
                                   help_text=_("Names and roles, e.g. 王总（总经理）、采购李经理"))
    staff_participants = StaffMultipleChoiceField(label=_("Staff participants"), queryset=selectors.staff_users(),
                                                  required=False, widget=forms.SelectMultiple(attrs={"size": 4}))
    topics = forms.CharField(label=_("Topics"), widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label=_("Problems found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    internal_notes = forms.CharField(label=_("Internal notes"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("Only brand staff see these; never the distributor."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visit_date", timezone.localdate())
        super().__init__(*args, **kwargs)

    def record(self) -> dict:
        data = dict(self.cleaned_data)
        data["staff_participant_ids"] = [u.pk for u in data.pop("staff_participants")]
        return data


class EditForm(RecordForm):
    """A planned visit's plan, or a completed visit's record."""

    planned_date = forms.DateField(label=_("Planned for"), widget=DATE)

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["planned_date", "visit_date"])
        if visit.status == Visit.Status.PLANNED:
            for name in ("visit_date", "participants", "staff_participants", "problems", "internal_notes"):
                del self.fields[name]
            self.fields["topics"].required = False
            self.fields["topics"].label = _("Topics to discuss")
        else:
            del self.fields["planned_date"]

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        if "staff_participants" in data:
            data["staff_participant_ids"] = [u.pk for u in data.pop("staff_participants")]
        return data


class RecordNewForm(PlanForm, RecordForm):
    """Record a visit that was not planned: the distributor and the record at once."""

    topics = RecordForm.base_fields["topics"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["planned_date"]
        self.order_fields(["distributor", "manager", "visit_date", "type"])


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=255)
    owner_type = forms.ChoiceField(label=_("Owner"), choices=VisitAction.Owner.choices,
                                   widget=forms.RadioSelect, initial=VisitAction.Owner.DISTRIBUTOR)
    owner_user = StaffChoiceField(label=_("Responsible (staff)"), queryset=selectors.staff_users(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        user = data.pop("owner_user")
        data["owner_user_id"] = user.pk if user else None
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPG or PNG)"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
