from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff accounts and roles. Distributor users are managed from the distributor's page."""

    list_display = ["username", "get_full_name", "email", "distributor", "is_active", "last_login"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]
    raw_id_fields = ["distributor"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Distributor"), {"fields": ("distributor", "phone")}),
    )
