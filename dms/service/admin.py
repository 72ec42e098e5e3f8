"""Master data of after-sales service kept in the admin: assignment rules, SLA targets,
working hours and holidays. Tickets change only through the pages and the API (services)."""

from django.contrib import admin

from .models import AssignmentRule, Holiday, SlaPolicy, WorkingHours


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    list_display = ["position", "name", "ticket_type", "province", "assignee", "role", "is_active"]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "ticket_type", "role"]
    search_fields = ["name", "province"]
    autocomplete_fields = ["assignee"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["priority", "first_response_hours", "resolution_hours"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["weekday", "start", "end"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
