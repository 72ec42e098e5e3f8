"""Panels this app adds to the back-office and portal dashboards."""

from . import selectors

LIMIT = 20  # one query for the count and the list: "20+" beyond


def backoffice_panel(request):
    """Unread conversations of the member of staff (his distributors', or ones he wrote in)."""
    user = request.user
    if not user.has_perm("comms.view_thread"):
        return None
    threads = list(selectors.threads_for(user).filter(selectors.participating_q(user), unread__gt=0)[:LIMIT])
    return "comms/panel_backoffice.html", {"unread": len(threads), "more": len(threads) == LIMIT,
                                           "threads": threads[:5]}


def portal_panel(request, distributor):
    user = request.user
    if not user.has_perm("comms.view_announcement"):
        return None
    announcements = selectors.announcements_for_distributor(distributor, user)
    shown = list(announcements.filter(pinned=True)[:3]) + list(announcements.filter(pinned=False, is_read=False)[:3])
    return "comms/panel_portal.html", {
        "announcements": shown,
        "unread_announcements": announcements.filter(is_read=False).count(),
        "unread_threads": selectors.unread_thread_count(user) if user.has_perm("comms.view_thread") else 0,
    }
