"""Forms and list filters of the statements, settlements and reports pages."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dms.core import regions
from dms.distributors.models import Distributor

from .models import Settlement, Statement


def _distributors():
    return Distributor.objects.exclude(status=Distributor.Status.TERMINATED).order_by("code")


class GenerateForm(forms.Form):
    distributor = forms.ModelChoiceField(queryset=Distributor.objects.none(), label=_("Distributor"))
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = _distributors()


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}))


class DisputeForm(forms.Form):
    comment = forms.CharField(label=_("What is wrong?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    line = forms.IntegerField(required=False, widget=forms.HiddenInput)


class SettlementForm(forms.Form):
    distributor = forms.ModelChoiceField(queryset=Distributor.objects.none(), label=_("Distributor"))
    kind = forms.ChoiceField(choices=Settlement.Kind.choices, label=_("Kind"))
    amount = forms.CharField(label=_("Amount"), max_length=24)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = _distributors()


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


def _search(qs, value, *fields):
    v = value.strip()
    if not v:
        return qs
    query = Q()
    for field in fields:
        query |= Q(**{f"{field}__icontains": v})
    return qs.filter(query)


class StatementFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Statement.Status.choices, label=_("Status"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))
    period = django_filters.CharFilter(method="filter_period", label=_("Month"))

    class Meta:
        model = Statement
        fields = ["search", "status", "distributor", "period"]

    def filter_search(self, qs, name, value):
        return _search(qs, value, "number", "distributor__name", "distributor__code")

    def filter_period(self, qs, name, value):
        """A month as YYYY-MM: statements whose period ends in it."""
        try:
            year, month = (int(part) for part in value.split("-")[:2])
        except ValueError:
            return qs.none()
        return qs.filter(period_end__year=year, period_end__month=month)


STATEMENT_ORDERING = {"number": "number", "distributor": "distributor__name", "period": "period_end",
                      "status": "status", "closing": "closing_balance", "generated": "generated_at"}


class SettlementFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Settlement.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Settlement.Kind.choices, label=_("Kind"))
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=_("Distributor"))

    class Meta:
        model = Settlement
        fields = ["search", "status", "kind", "distributor"]

    def filter_search(self, qs, name, value):
        return _search(qs, value, "number", "distributor__name", "distributor__code", "description")


SETTLEMENT_ORDERING = {"number": "number", "distributor": "distributor__name", "amount": "amount",
                       "status": "status", "created": "created_at"}


def report_filters(params) -> dict:
    """The shared report filters from the query string (bad values are ignored)."""
    out = {}
    for key in ("distributor", "channel_manager"):
        value = params.get(key, "")
        if value.isdigit():
            out[key] = int(value)
    province = params.get("province", "")
    if province.isdigit() and len(province) == 2:
        out["province"] = province
    return out


def provinces():
    return regions.provinces()
