"""Pages (placeholder: to be written)."""
from django.http import HttpResponse


def dashboard(request, *args, **kwargs):
    return HttpResponse('TODO dashboard')


def register(request, *args, **kwargs):
    return HttpResponse('TODO register')


def register_done(request, *args, **kwargs):
    return HttpResponse('TODO register_done')


def profile(request, *args, **kwargs):
    return HttpResponse('TODO profile')


def contact_edit(request, *args, **kwargs):
    return HttpResponse('TODO contact_edit')


def qualifications(request, *args, **kwargs):
    return HttpResponse('TODO qualifications')


def qualification_upload(request, *args, **kwargs):
    return HttpResponse('TODO qualification_upload')


def qualification_file(request, *args, **kwargs):
    return HttpResponse('TODO qualification_file')


def contracts(request, *args, **kwargs):
    return HttpResponse('TODO contracts')


def contract_detail(request, *args, **kwargs):
    return HttpResponse('TODO contract_detail')


def contract_file(request, *args, **kwargs):
    return HttpResponse('TODO contract_file')


def users(request, *args, **kwargs):
    return HttpResponse('TODO users')


def user_create(request, *args, **kwargs):
    return HttpResponse('TODO user_create')


def user_toggle(request, *args, **kwargs):
    return HttpResponse('TODO user_toggle')
