"""Finance master data kept in the admin: payment terms and each tier's credit defaults.
Everything that moves money goes through the finance pages and services, never here."""

from django.contrib import admin

from .models import PaymentTerms, TierCreditPolicy


@admin.register(PaymentTerms)
class PaymentTermsAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "days", "from_month_end"]
    search_fields = ["code", "name"]


@admin.register(TierCreditPolicy)
class TierCreditPolicyAdmin(admin.ModelAdmin):
    list_display = ["tier", "credit_limit", "payment_terms"]
    list_select_related = ["tier", "payment_terms"]
