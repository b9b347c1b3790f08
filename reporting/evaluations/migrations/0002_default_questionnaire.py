"""The default questionnaire, shared by every region, in Swedish as the participants read it."""

from django.db import migrations

TITLE = "Kursutvärdering"
QUESTIONS = [
    ("likert", "Kursen har stärkt mitt ledarskap"),
    ("likert", "Jag kan använda kursens innehåll i mitt arbete"),
    ("likert", "Min arbetsgivare gav mig förutsättningar att studera"),
    ("likert", "Jag fick tid avsatt för studierna"),
    ("likert", "Kursens upplägg och examination fungerade väl"),
    ("likert", "Jag skulle rekommendera kursen till andra chefer"),
    ("text", "Vad var bäst med kursen?"),
    ("text", "Vad kan bli bättre?"),
]


def create_default(apps, schema_editor):
    Questionnaire = apps.get_model("evaluations", "Questionnaire")
    Question = apps.get_model("evaluations", "Question")
    if Questionnaire.objects.filter(region__isnull=True, is_default=True).exists():
        return
    questionnaire = Questionnaire.objects.create(title=TITLE, is_default=True, region=None)
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, position=position, kind=kind, text=text)
        for position, (kind, text) in enumerate(QUESTIONS, start=1)
    )


def remove_default(apps, schema_editor):
    Questionnaire = apps.get_model("evaluations", "Questionnaire")
    Questionnaire.objects.filter(
        region__isnull=True, is_default=True, title=TITLE, rounds__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(create_default, remove_default)]
