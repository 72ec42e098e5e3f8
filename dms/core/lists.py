"""What every list page shares: pagination and HTMX partial rendering."""

from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

PAGE_SIZE = 20


def paginate(request, qs, per_page: int = PAGE_SIZE, param: str = "page"):
    return Paginator(qs, per_page).get_page(request.GET.get(param))


def wants_partial(request) -> bool:
    """An HTMX request for a fragment (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_list(request, template, context, partial: str = "results", status: int = 200):
    """The whole page, or only its ``{% partialdef partial %}`` for an HTMX request.
    The answer varies on HX-Request, so a cache never serves one for the other."""
    name = f"{template}#{partial}" if wants_partial(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def push_clean_url(request, response):
    """Push the list's address without its empty filters into the browser history
    (for the HTMX fragment of a filtered list)."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if kept := [v for v in values if v]:
            query.setlist(key, kept)
    response["HX-Push-Url"] = request.path + (f"?{query.urlencode()}" if query else "")
    return response
