from django.contrib import admin

from .models import Cohort, CreditTransfer, Enrolment, EnrolmentEvent, Mandate, Participant


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "municipality", "administration", "left_on"]
    list_filter = ["municipality__region", "municipality", "operational_area", "position"]
    search_fields = ["first_name", "last_name", "email", "employee_number"]
    list_select_related = ["municipality", "administration"]
    raw_id_fields = ["user", "administration", "cohort"]


class EventInline(admin.TabularInline):
    model = EnrolmentEvent
    extra = 0
    readonly_fields = ["from_state", "to_state", "actor", "at", "note"]
    can_delete = False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["participant", "offering", "state", "grade", "credits", "result_date"]
    list_filter = ["state", "offering__term"]
    search_fields = ["participant__last_name", "participant__email"]
    list_select_related = ["participant", "offering__course"]
    raw_id_fields = ["participant", "offering"]
    inlines = [EventInline]


@admin.register(CreditTransfer)
class CreditTransferAdmin(admin.ModelAdmin):
    list_display = ["participant", "slot", "kind", "decided_on", "approved_by"]
    raw_id_fields = ["participant"]


admin.site.register(Cohort)


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["municipality", "decided_on", "effective_from", "decision_body", "reference"]
    filter_horizontal = ["administrations"]
