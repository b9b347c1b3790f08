"""The API's endpoints. Each reads through the selectors the pages use and writes through
their services and forms, so scope and rules are the pages' own."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import conditional_page
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from enrolment import setbased
from enrolment.compliance import municipality_compliance
from enrolment.filters import ParticipantFilter
from enrolment.models import Enrolment, Participant
from enrolment.progress import progress_of, with_programme_status
from enrolment.selectors import participants_visible_to, with_seat_counts
from portal.accounts.models import Role
from portal.accounts.scope import AGGREGATE_ROLES, EDITOR_ROLES, PEOPLE_ROLES
from programmes.selectors import offerings_visible_to, regions_visible_to
from reporting.followup.disclosed import disclosed_key_figures
from reporting.followup.figures import key_figures, key_figures_table

from . import serializers as s
from .permissions import HasRole
from .writes import participant_save, participants_bulk_upsert

OFFERING_ROLES = frozenset({Role.PROGRAMME_ADMIN, Role.HR_ADMIN, Role.HEAD_OF_ADMINISTRATION})


class ScopedFilterBackend(DjangoFilterBackend):
    """The managers page's filterset, which offers only the choices the user reaches."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user}


class LanguageMixin:
    """Language from Accept-Language (Swedish unless asked), and one cached answer per
    key and language."""

    def initial(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request._request)
        translation.activate(language)
        request._request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        # A cache must never hand one key's answer to another.
        patch_vary_headers(response, ("Authorization", "Accept-Language"))
        return response


@method_decorator(conditional_page, name="dispatch")
class ApiViewSet(LanguageMixin, viewsets.GenericViewSet):
    """Scoped by the key's role, with ETags on reads."""

    permission_classes = [HasRole]
    roles = PEOPLE_ROLES
    lookup_value_converter = "int"


class UnknownPath(LanguageMixin, APIView):
    """Any other path under /api/v1/: a problem like every other answer of the API."""

    authentication_classes = []
    permission_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()


class ParticipantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ApiViewSet,
):
    """Managers within the key's reach, with the filters of the managers page."""

    serializer_class = s.ParticipantSerializer
    filter_backends = [ScopedFilterBackend]
    filterset_class = ParticipantFilter
    action_roles = {
        "create": EDITOR_ROLES,
        "update": EDITOR_ROLES,
        "partial_update": EDITOR_ROLES,
        "bulk": EDITOR_ROLES,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Participant.objects.none()
        return participants_visible_to(self.request.user, PEOPLE_ROLES)

    def filter_queryset(self, queryset):
        """The filters first; where each manager stands is joined once, by the filters
        when they need it, else here."""
        queryset = super().filter_queryset(queryset)
        if "programme_status" not in queryset.query.annotations:
            queryset = with_programme_status(queryset)
        if not queryset.query.order_by:
            queryset = queryset.order_by("last_name", "first_name", "pk")
        return queryset

    @extend_schema(request=s.ParticipantWriteSerializer, responses={201: s.ParticipantSerializer})
    def create(self, request):
        return self._save(request, None, status=201)

    @extend_schema(request=s.ParticipantWriteSerializer, responses=s.ParticipantSerializer)
    def update(self, request, pk=None):
        return self._save(request, self._editable(pk), partial=False)

    @extend_schema(request=s.ParticipantWriteSerializer, responses=s.ParticipantSerializer)
    def partial_update(self, request, pk=None):
        return self._save(request, self._editable(pk), partial=True)

    def _editable(self, pk):
        editable = participants_visible_to(self.request.user, EDITOR_ROLES)
        return self.get_object_from(editable, pk)

    def get_object_from(self, queryset, pk):
        return get_object_or_404(queryset, pk=pk)

    def _save(self, request, participant, *, partial=False, status=200):
        data = s.ParticipantWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        saved = participant_save(
            user=request.user, participant=participant, data=data.validated_data
        )
        shown = self.get_object_from(with_programme_status(self.get_queryset()), saved.pk)
        return Response(self.get_serializer(shown).data, status=status)

    @extend_schema(request=s.BulkUpsertSerializer, responses=s.BulkResultSerializer)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request):
        """Create and update many managers at once, matched by work e-mail or employee
        number, with the checks of the file import: all rows are saved, or none."""
        data = s.BulkUpsertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = participants_bulk_upsert(user=request.user, **data.validated_data)
        return Response(s.BulkResultSerializer(result).data)

    @extend_schema(responses=s.ProgressSerializer)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def progress(self, request, pk=None):
        participant = self.get_object_from(self.get_queryset(), pk)
        return Response(s.ProgressSerializer(progress_of(participant)).data)

    @extend_schema(responses=s.ComplianceSerializer)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def compliance(self, request, pk=None):
        """The manager's standing against their municipality's mandate today."""
        participant = self.get_object_from(self.get_queryset(), pk)
        result = municipality_compliance(
            municipality=participant.municipality,
            on=timezone.localdate(),
            participant_filter=Q(pk=participant.pk),
        )
        row = result.rows[0] if result.rows else None
        return Response(
            s.ComplianceSerializer(
                {
                    "in_scope": row is not None,
                    "status": row.status if row else None,
                    "deadline": row.deadline if row else None,
                    "start_by": row.start_by if row else None,
                    "complete_by": row.complete_by if row else None,
                    "reason": row.reason if row else "",
                }
            ).data
        )


class OfferingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Course offerings of the key's region with their seats."""

    serializer_class = s.OfferingSerializer
    roles = OFFERING_ROLES

    def get_queryset(self):
        offerings = offerings_visible_to(self.request.user, OFFERING_ROLES)
        return with_seat_counts(offerings).order_by("term_index", "course__slot__position", "pk")


class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Enrolments of the managers within the key's reach."""

    serializer_class = s.EnrolmentSerializer

    def get_queryset(self):
        people = participants_visible_to(self.request.user, PEOPLE_ROLES)
        return (
            Enrolment.objects.filter(participant__in=people.values("pk"))
            .select_related("slot")
            .order_by("participant_id", "slot__position", "pk")
        )


class AggregateViewSet(mixins.ListModelMixin, ApiViewSet):
    """The region's key figures as the council reads them: the rows of the key-figure
    download, after the same disclosure control (small groups and what would reveal
    them hidden)."""

    serializer_class = s.AggregateRowSerializer
    roles = AGGREGATE_ROLES

    def get_queryset(self):
        return None

    def list(self, request):
        if not setbased.is_supported():
            # Counted in PostgreSQL only: not on the embedded SQLite of a demo.
            raise exceptions.NotFound(
                _("The key figures are counted in PostgreSQL; this installation runs on SQLite.")
            )
        on = timezone.localdate()
        regions = regions_visible_to(request.user, AGGREGATE_ROLES).order_by("name")
        # As the key-figure page and its download: through the disclosure control.
        figures = [disclosed_key_figures(key_figures(region=region, on=on)) for region in regions]
        table = key_figures_table(figures)
        names = list(s.AggregateRowSerializer().fields)
        rows = [dict(zip(names, (str(v) for v in row), strict=True)) for row in table.rows]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.AggregateRowSerializer(page, many=True).data)
