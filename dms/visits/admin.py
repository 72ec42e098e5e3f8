"""Visit frequencies per tier are master data kept in the admin; visits change only through
the pages and the API (services)."""

from django.contrib import admin

from .models import VisitFrequency


@admin.register(VisitFrequency)
class VisitFrequencyAdmin(admin.ModelAdmin):
    list_display = ["tier", "interval_days"]
    fields = ["tier", "interval_days"]
