"""What the API reads and writes, field by field. Rules live in the services and forms
the pages use; these only give the shapes (and the schema) of the JSON."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enrolment.models import Enrolment, Grade, OperationalArea, Participant, Position
from enrolment.progress import ProgrammeStatus
from programmes.models import CourseOffering


class ProblemSerializer(serializers.Serializer):
    """An error, as RFC 9457 describes it."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), required=False
    )


class ParticipantSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.code", read_only=True)
    administration = serializers.IntegerField(
        source="administration_id", read_only=True, allow_null=True
    )
    operational_area = serializers.ChoiceField(
        choices=OperationalArea.choices, allow_blank=True, read_only=True
    )
    position = serializers.ChoiceField(choices=Position.choices, allow_blank=True, read_only=True)
    programme_status = serializers.ChoiceField(choices=ProgrammeStatus.choices, read_only=True)
    hp = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "employee_number",
            "municipality",
            "administration",
            "operational_area",
            "position",
            "appointed_on",
            "left_on",
            "programme_status",
            "hp",
        ]
        read_only_fields = fields


class ParticipantWriteSerializer(serializers.Serializer):
    """A manager's details as HR sends them; checked by the same form as the page."""

    municipality = serializers.RegexField(
        r"^[0-9]{4}$", help_text=_("Municipality code (kommunkod)."), required=False
    )
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    employee_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    administration = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    operational_area = serializers.ChoiceField(
        choices=OperationalArea.choices, required=False, allow_blank=True
    )
    position = serializers.ChoiceField(choices=Position.choices, required=False, allow_blank=True)
    appointed_on = serializers.DateField(required=False, allow_null=True)


class BulkRowSerializer(serializers.Serializer):
    """One manager in a bulk upsert: the columns of the file import, by their field
    names. A field left out leaves the stored value as it is, as a missing column does."""

    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    employee_number = serializers.CharField(required=False, allow_blank=True)
    administration = serializers.CharField(
        required=False, allow_blank=True, help_text=_("The administration's name.")
    )
    operational_area = serializers.CharField(required=False, allow_blank=True)
    position = serializers.CharField(required=False, allow_blank=True)
    appointed_on = serializers.CharField(required=False, allow_blank=True)
    left_on = serializers.CharField(required=False, allow_blank=True)


class BulkUpsertSerializer(serializers.Serializer):
    municipality = serializers.RegexField(r"^[0-9]{4}$", help_text=_("Municipality code."))
    dry_run = serializers.BooleanField(default=False)
    rows = BulkRowSerializer(many=True, allow_empty=False)


class BulkRowResultSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    status = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class BulkResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rows = BulkRowResultSerializer(many=True)


class SlotProgressSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="slot.position")
    status = serializers.CharField()
    course = serializers.CharField(source="course_title")
    hp = serializers.DecimalField(source="credits", max_digits=5, decimal_places=1)
    completed_on = serializers.DateField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    hp = serializers.DecimalField(source="credits", max_digits=5, decimal_places=1)
    total_hp = serializers.DecimalField(source="total_credits", max_digits=5, decimal_places=1)
    slots_filled = serializers.IntegerField()
    complete = serializers.BooleanField(source="is_complete")
    completed_on = serializers.DateField(allow_null=True)
    exempt_from_programme = serializers.BooleanField()
    slots = SlotProgressSerializer(many=True)


class ComplianceSerializer(serializers.Serializer):
    in_scope = serializers.BooleanField()
    status = serializers.CharField(allow_null=True)
    deadline = serializers.DateField(allow_null=True)
    start_by = serializers.DateField(allow_null=True)
    complete_by = serializers.DateField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class OfferingSerializer(serializers.ModelSerializer):
    course = serializers.CharField(source="course.title")
    course_code = serializers.CharField(source="course.code")
    slot = serializers.IntegerField(source="course.slot.position")
    seats_taken = serializers.IntegerField()
    seats_free = serializers.IntegerField()
    waitlist_length = serializers.IntegerField()

    class Meta:
        model = CourseOffering
        fields = [
            "id",
            "course",
            "course_code",
            "slot",
            "term",
            "start_date",
            "end_date",
            "pace_percent",
            "mode",
            "state",
            "application_deadline",
            "seats",
            "seats_taken",
            "seats_free",
            "waitlist_length",
        ]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    participant = serializers.IntegerField(source="participant_id")
    offering = serializers.IntegerField(source="offering_id")
    slot = serializers.IntegerField(source="slot.position")
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "participant",
            "offering",
            "slot",
            "state",
            "waitlist_position",
            "grade",
            "credits",
            "result_date",
        ]
        read_only_fields = fields


class AggregateRowSerializer(serializers.Serializer):
    """One key figure, with groups of fewer than five people already hidden (`<5`)."""

    region = serializers.CharField()
    figure = serializers.CharField()
    municipality = serializers.CharField(allow_blank=True)
    term = serializers.CharField(allow_blank=True)
    subject = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    out_of = serializers.CharField(allow_blank=True)
    share_percent = serializers.CharField(allow_blank=True)
