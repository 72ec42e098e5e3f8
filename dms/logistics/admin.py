"""Carriers are master data kept in the admin; shipments change only through the pages
and the API (services)."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Carrier


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tracking_url", "is_active", "has_webhook_token"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "tracking_url", "is_active"]
    actions = ["issue_webhook_token"]

    @admin.display(boolean=True, description=_("webhook token"))
    def has_webhook_token(self, obj):
        return bool(obj.webhook_token_hash)

    @admin.action(description=_("Issue a new webhook token (replaces the old one)"))
    def issue_webhook_token(self, request, queryset):
        carriers = list(queryset)
        for carrier in carriers:
            token = carrier.issue_webhook_token()
            # Shown once: only its hash is stored.
            messages.warning(request, format_html(
                _("Webhook token for {name} ({code}) — copy it now, it is shown only once: <code>{token}</code>"),
                name=carrier.name, code=carrier.code, token=token))
        self.message_user(request, ngettext("%(n)d token issued.", "%(n)d tokens issued.", len(carriers))
                          % {"n": len(carriers)})
