from django.contrib import admin

from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: audit records are never added, changed or deleted by hand."""

    list_display = ["created_at", "actor_name", "ip", "action", "model", "object_id", "object_repr",
                    "distributor_id"]
    list_filter = ["action", "model", "created_at"]
    search_fields = ["object_repr", "actor_name", "message", "object_id"]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
