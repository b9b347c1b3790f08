from django.contrib import admin

from .models import Certificate, ReportRequest, ReportSubscription, SubscriptionDelivery


@admin.register(ReportRequest)
class ReportRequestAdmin(admin.ModelAdmin):
    """For following up failures. Read only: files are downloaded from the reports page,
    where scope is checked, and they have no URL to link to here."""

    list_display = ["id", "kind", "state", "progress", "data_date", "requested_by", "created_at"]
    list_filter = ["kind", "state", "language"]
    list_select_related = ["requested_by"]
    search_fields = ["id", "task_id", "requested_by__email"]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "participant", "issued_on", "revoked_at"]
    search_fields = ["code", "participant__last_name", "participant__email"]
    list_select_related = ["participant"]
    raw_id_fields = ["participant", "revoked_by"]
    readonly_fields = ["code"]


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "municipality", "administration", "active"]
    list_filter = ["kind", "active"]
    list_select_related = ["user", "municipality", "administration__municipality"]
    raw_id_fields = ["user"]


@admin.register(SubscriptionDelivery)
class SubscriptionDeliveryAdmin(admin.ModelAdmin):
    list_display = ["subscription", "month", "report", "emailed_at"]
    list_select_related = ["subscription__user", "subscription__municipality", "report"]
    raw_id_fields = ["subscription", "report"]
