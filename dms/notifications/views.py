"""Pages (placeholder: to be written)."""
from django.http import HttpResponse


def notification_list(request, *args, **kwargs):
    return HttpResponse('TODO notification_list')


def mark_read(request, *args, **kwargs):
    return HttpResponse('TODO mark_read')


def open_notification(request, *args, **kwargs):
    return HttpResponse('TODO open_notification')


def bell(request, *args, **kwargs):
    return HttpResponse('TODO bell')


def preferences(request, *args, **kwargs):
    return HttpResponse('TODO preferences')
