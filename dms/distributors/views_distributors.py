"""Back-office pages (placeholder: to be written)."""
from django.http import HttpResponse


def distributor_list(request, *args, **kwargs):
    return HttpResponse('TODO distributor_list')


def distributor_create(request, *args, **kwargs):
    return HttpResponse('TODO distributor_create')


def distributor_import(request, *args, **kwargs):
    return HttpResponse('TODO distributor_import')


def distributor_detail(request, *args, **kwargs):
    return HttpResponse('TODO distributor_detail')


def distributor_edit(request, *args, **kwargs):
    return HttpResponse('TODO distributor_edit')


def distributor_transition(request, *args, **kwargs):
    return HttpResponse('TODO distributor_transition')


def contact_create(request, *args, **kwargs):
    return HttpResponse('TODO contact_create')


def contact_edit(request, *args, **kwargs):
    return HttpResponse('TODO contact_edit')


def contact_delete(request, *args, **kwargs):
    return HttpResponse('TODO contact_delete')


def portal_user_create(request, *args, **kwargs):
    return HttpResponse('TODO portal_user_create')


def portal_user_toggle(request, *args, **kwargs):
    return HttpResponse('TODO portal_user_toggle')
