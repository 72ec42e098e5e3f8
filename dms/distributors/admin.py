from django.contrib import admin

from .models import ReviewStep, Tag, Tier


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["level", "name", "review_interval_months"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(ReviewStep)
class ReviewStepAdmin(admin.ModelAdmin):
    list_display = ["kind", "position", "name", "permission", "enabled"]
    list_filter = ["kind", "enabled"]
