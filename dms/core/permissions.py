"""Page access: back-office pages are for brand staff, portal pages for distributor users.

Either kind reaching the other's pages gets 404 (fail closed, reveal nothing)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404


def staff_view(perm: str | None = None):
    def deco(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.distributor_id or not request.user.is_brand_staff:
                raise Http404
            if perm and not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return deco


def portal_view(perm: str | None = None):
    def deco(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.distributor_id:
                raise Http404
            if perm and not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return deco
