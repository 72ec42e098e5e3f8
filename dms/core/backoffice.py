from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control

from . import regions


def dashboard(request):
    return HttpResponse("TODO dashboard")


@cache_control(max_age=86400, public=True)
def region_children(request):
    """Children of a region code (provinces when no parent), for the region pickers.
    Public reference data, also used by the self-registration form."""
    parent = request.GET.get("parent", "")
    items = regions.children(parent) if parent else regions.provinces()
    return JsonResponse({"results": [{"code": c, "name": n} for c, n in items]})
