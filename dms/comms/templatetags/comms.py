"""Unread counts for the navigation (computed once per request and user)."""

from django import template

from .. import selectors

register = template.Library()


COMMS_PAGES = {"threads", "announcements"}


def _cached(context, key, compute):
    """Counted on this app's pages only (the dashboards show them in their panels), so other
    pages keep their query budget."""
    if context.get("nav") not in COMMS_PAGES:
        return 0
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cache = request.__dict__.setdefault("_comms_counts", {})
    if key not in cache:
        cache[key] = compute(user)
    return cache[key]


@register.simple_tag(takes_context=True)
def unread_threads(context):
    return _cached(context, "threads", selectors.unread_thread_count)


@register.simple_tag(takes_context=True)
def unread_announcements(context):
    return _cached(context, "announcements",
                   lambda u: selectors.unread_announcement_count(u.distributor, u) if u.distributor_id else 0)
