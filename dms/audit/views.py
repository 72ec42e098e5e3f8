"""Pages (placeholder: to be written)."""
from django.http import HttpResponse


def audit_list(request, *args, **kwargs):
    return HttpResponse('TODO audit_list')
