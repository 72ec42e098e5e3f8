from django.contrib import admin

from .models import ApprovalStep


@admin.register(ApprovalStep)
class ApprovalStepAdmin(admin.ModelAdmin):
    """Switch review steps on and off (the review pipeline of orders)."""

    list_display = ["position", "name", "code", "role", "enabled"]
    list_editable = ["enabled"]
    list_display_links = ["name"]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
