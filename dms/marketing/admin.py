"""Admin for the plain master data of this app: the action tags staff put on feedback."""

from django.contrib import admin

from .models import ActionTag


@admin.register(ActionTag)
class ActionTagAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active", "position"]
    list_editable = ["is_active", "position"]
