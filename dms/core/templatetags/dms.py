from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for pagination, sorting)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.inclusion_tag("includes/badge.html")
def status_badge(obj, field="status"):
    value = getattr(obj, field)
    return {"value": value, "label": getattr(obj, f"get_{field}_display")()}


@register.filter
def money(value):
    if value in (None, ""):
        return ""
    symbol = "¥" if settings.CURRENCY == "CNY" else settings.CURRENCY + " "
    amount = Decimal(value)
    return f"{'-' if amount < 0 else ''}{symbol}{abs(amount):,.2f}"


@register.simple_tag(takes_context=True)
def sort_link(context, field, label):
    """A column header that sorts by ``field`` (toggling direction)."""
    from django.utils.html import format_html

    request = context["request"]
    current = request.GET.get("sort", "")
    new = f"-{field}" if current == field else field
    arrow = " ▲" if current == field else (" ▼" if current == f"-{field}" else "")
    query = request.GET.copy()
    query["sort"] = new
    query.pop("page", None)
    return format_html('<a href="?{}" class="sort">{}{}</a>', query.urlencode(), label, arrow)
