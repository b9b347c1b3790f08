from django.contrib import admin

from .models import (
    Administration,
    Course,
    CourseOffering,
    Municipality,
    Programme,
    ProgrammeSlot,
    Provider,
    Region,
)


class MunicipalityInline(admin.TabularInline):
    model = Municipality
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "county_code"]
    inlines = [MunicipalityInline]


class AdministrationInline(admin.TabularInline):
    model = Administration
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    inlines = [AdministrationInline]


@admin.register(Administration)
class AdministrationAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality__region", "municipality"]
    search_fields = ["name", "municipality__name"]
    list_select_related = ["municipality"]


admin.site.register(Provider)


class SlotInline(admin.TabularInline):
    model = ProgrammeSlot
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "provider", "credits"]
    inlines = [SlotInline]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "slot", "credits"]
    list_filter = ["slot__programme"]
    list_select_related = ["slot"]


@admin.register(CourseOffering)
class CourseOfferingAdmin(admin.ModelAdmin):
    list_display = ["course", "term", "start_date", "end_date", "seats", "state"]
    list_filter = ["state", "term", "course__slot__programme"]
    search_fields = ["course__title", "term"]
    list_select_related = ["course"]
