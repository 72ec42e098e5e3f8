from django.contrib import admin

from .models import ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "offset_days", "recipients", "enabled"]
    list_filter = ["source", "enabled"]
    list_editable = ["enabled"]
