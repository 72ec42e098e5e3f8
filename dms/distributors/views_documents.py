"""Back-office pages (placeholder: to be written)."""
from django.http import HttpResponse


def qualification_list(request, *args, **kwargs):
    return HttpResponse('TODO qualification_list')


def qualification_create(request, *args, **kwargs):
    return HttpResponse('TODO qualification_create')


def qualification_verify(request, *args, **kwargs):
    return HttpResponse('TODO qualification_verify')


def qualification_file(request, *args, **kwargs):
    return HttpResponse('TODO qualification_file')


def contract_list(request, *args, **kwargs):
    return HttpResponse('TODO contract_list')


def contract_create(request, *args, **kwargs):
    return HttpResponse('TODO contract_create')


def contract_detail(request, *args, **kwargs):
    return HttpResponse('TODO contract_detail')


def contract_renew(request, *args, **kwargs):
    return HttpResponse('TODO contract_renew')


def contract_transition(request, *args, **kwargs):
    return HttpResponse('TODO contract_transition')


def contract_file(request, *args, **kwargs):
    return HttpResponse('TODO contract_file')


def review_list(request, *args, **kwargs):
    return HttpResponse('TODO review_list')


def review_detail(request, *args, **kwargs):
    return HttpResponse('TODO review_detail')
