"""Reads of the audit log.

``AuditLog`` is not a tenant model (records outlive the rows they describe and some have
no distributor), so the scope is applied here, explicitly: a channel manager sees the
records of his distributors and his own actions; brand-wide roles see everything.
"""

from collections import defaultdict
from functools import cache

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes.exceptions import ScopeError

from dms.core import regions
from dms.core.scoping import distributor_scope

from .mixins import AuditedModel
from .models import AuditLog


def audit_records_for(user):
    """The audit records ``user`` may read."""
    qs = AuditLog.objects.all()
    scope = distributor_scope(user)
    if scope is None:
        return qs
    ids = [scope] if isinstance(scope, int) else list(scope)
    own = Q(actor_id=user.pk) if getattr(user, "pk", None) else Q(pk__in=[])
    return qs.filter(Q(distributor_id__in=ids) | own)


def history_for(instance, limit: int = 50) -> list:
    """The audit trail of one object, newest first, each record with readable ``rows``
    (see ``change_rows``). The caller has already checked that the user may see
    ``instance`` (it got it through the tenant scope)."""
    return with_change_rows(
        AuditLog.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk))[:limit]
    )


@cache
def _audited_models() -> dict:
    return {m._meta.label_lower: m for m in apps.get_models() if issubclass(m, AuditedModel)}


def model_choices() -> list[tuple[str, str]]:
    models = _audited_models()
    return sorted(((label, str(m._meta.verbose_name).capitalize()) for label, m in models.items()),
                  key=lambda c: c[1])


def model_label(label: str) -> str:
    model = _audited_models().get(label)
    return str(model._meta.verbose_name).capitalize() if model else label


RECORD_URLS = {
    "distributors.distributor": "distributors:detail",
    "distributors.contract": "distributors:contract",
    "distributors.review": "distributors:review",
}


def record_url(record) -> str:
    name = RECORD_URLS.get(record.model)
    if not name or not record.object_id.isdigit() or record.action == AuditLog.Action.DELETE:
        return ""
    try:
        return reverse(name, args=[int(record.object_id)])
    except NoReverseMatch:
        return ""


HIDDEN_FIELDS = {"id"}


def _display(field, value, names=None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.name == "region_code":
        return regions.display_name(str(value)) or str(value)
    if field is not None:
        choices = dict(field.flatchoices) if field.choices else None
        if choices and value in choices:
            return str(choices[value])
        if field.is_relation:
            name = (names or {}).get(field.related_model, {}).get(str(value))
            return Truncator(name).chars(60) if name else f"#{value}"
        if field.get_internal_type() == "DateTimeField" and isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None:
                return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(parsed) else (
                    parsed.strftime("%Y-%m-%d %H:%M"))
    return Truncator(str(value)).chars(80)


def _fields(record) -> dict:
    model = _audited_models().get(record.model)
    return {f.attname: f for f in model._meta.concrete_fields} if model else {}


def _pairs(record):
    for attname, pair in (record.changes or {}).items():
        if attname in HIDDEN_FIELDS:
            continue
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        yield attname, before, after


def _name(obj) -> str:
    full_name = getattr(obj, "get_full_name", None)
    return (full_name() if full_name else "") or str(obj)


def related_names(records) -> dict:
    """{related model: {str(pk): name}} for the foreign keys in ``records``' changes, one
    query per related model. Tenant models are read through the active scope, so an
    object the user may not see stays a bare id."""
    wanted = defaultdict(set)
    for record in records:
        fields = _fields(record)
        for attname, before, after in _pairs(record):
            field = fields.get(attname)
            if field is not None and field.many_to_one:
                wanted[field.related_model].update(str(v) for v in (before, after) if v not in (None, ""))
    names = {}
    for model, ids in wanted.items():
        try:
            names[model] = {str(obj.pk): _name(obj) for obj in model._default_manager.filter(pk__in=ids)}
        except (ScopeError, ValueError):
            names[model] = {}
    return names


def change_rows(record, names=None) -> list[dict]:
    """The record's changes as rows {field, before, after}, with field labels, choice
    labels and (given ``names`` from ``related_names``) related objects' names instead
    of raw attribute names, values and ids."""
    fields = _fields(record)
    rows = []
    for attname, before, after in _pairs(record):
        field = fields.get(attname)
        label = str(field.verbose_name) if field is not None else attname
        rows.append({"field": label, "before": _display(field, before, names),
                     "after": _display(field, after, names)})
    return rows


def with_change_rows(records):
    """Attach readable ``rows`` to each record (see ``change_rows``)."""
    records = list(records)
    names = related_names(records)
    for record in records:
        record.rows = change_rows(record, names)
    return records


def changes_text(record) -> str:
    rows = getattr(record, "rows", None)
    if rows is None:
        rows = change_rows(record)
    return "; ".join(f"{r['field']}: {r['before']} → {r['after']}" for r in rows)


DATE = forms.DateInput(attrs={"type": "date"})


class AuditLogFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=gettext_lazy("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("Record, user or message")}),
    )
    action = django_filters.ChoiceFilter(choices=AuditLog.Action.choices, label=gettext_lazy("Action"),
                                         empty_label=gettext_lazy("All"))
    model = django_filters.ChoiceFilter(choices=[], label=gettext_lazy("Record type"), empty_label=gettext_lazy("All"))
    user = django_filters.CharFilter(field_name="actor_name", lookup_expr="iexact", label=gettext_lazy("User"))
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                          label=gettext_lazy("From"), widget=DATE)
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=gettext_lazy("To"),
                                        widget=DATE)
    distributor = django_filters.NumberFilter(field_name="distributor_id", label=gettext_lazy("Distributor ID"))

    class Meta:
        model = AuditLog
        fields = ["search", "action", "model", "user", "date_from", "date_to", "distributor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["model"].extra["choices"] = model_choices()

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        q = Q(object_repr__icontains=value) | Q(actor_name__icontains=value) | Q(message__icontains=value)
        if value.isdigit():
            q |= Q(object_id=value)
        return qs.filter(q)
