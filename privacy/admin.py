from django.contrib import admin

from .models import PublicText, RetentionRule, ThinningRun


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["region", "kind", "months"]
    list_filter = ["region"]


@admin.register(ThinningRun)
class ThinningRunAdmin(admin.ModelAdmin):
    list_display = ["at", "region", "counts"]
    readonly_fields = ["at", "region", "counts"]


@admin.register(PublicText)
class PublicTextAdmin(admin.ModelAdmin):
    list_display = ["region", "kind"]
