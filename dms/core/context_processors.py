from django.conf import settings


def dms(request):
    user = getattr(request, "user", None)
    ctx = {"CURRENCY": settings.CURRENCY, "unread_notifications": 0, "layout": "backoffice/base.html"}
    if user is not None and user.is_authenticated:
        if user.distributor_id:
            ctx["layout"] = "portal/base.html"
        from dms.notifications.services import unread_count

        ctx["unread_notifications"] = unread_count(user)
    return ctx
