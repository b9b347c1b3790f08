"""Questionnaires and rounds in the Django admin. Responses and respondents are left out
on purpose: answers are read as aggregates on the results page, never one by one."""

from django.contrib import admin

from .models import EvaluationRound, Question, Questionnaire


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "is_default"]
    list_filter = ["region", "is_default"]
    inlines = [QuestionInline]


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(admin.ModelAdmin):
    list_display = ["offering", "questionnaire", "opens_on", "closes_on"]
    list_select_related = ["offering__course", "questionnaire"]
    raw_id_fields = ["offering"]
    readonly_fields = ["created_by", "created_at"]
