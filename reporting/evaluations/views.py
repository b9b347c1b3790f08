"""Course evaluation pages: questionnaires and rounds for programme administrators,
results for them and the council, and the answer form for participants."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enrolment.selectors import participant_for_user
from portal.accounts.decorators import require_form_methods, require_safe, role_required
from portal.accounts.models import Role
from portal.accounts.scope import AGGREGATE_ROLES, reach
from portal.disclosure import HIDDEN
from portal.exports import Table, table_response
from programmes.models import Region
from programmes.selectors import offerings_visible_to

from .forms import (
    GROUPING_CHOICES,
    AnswerForm,
    QuestionFormSet,
    QuestionnaireForm,
    ResultsFilter,
    RoundForm,
)
from .models import LIKERT_VALUES, Questionnaire
from .selectors import (
    ADMIN_ROLES,
    admin_region_ids,
    default_questionnaire_for,
    evaluation_results,
    questionnaires_editable_by,
    questionnaires_visible_to,
    responses_visible_to,
    round_list,
    rounds_administrable_by,
    rounds_for_participant,
    statement_summary,
)
from .services import (
    answer_problem,
    questionnaire_copy,
    questionnaire_has_answers,
    questionnaire_save,
    response_submit,
    round_save,
)

ADMIN = Role.PROGRAMME_ADMIN


def _home_region(user) -> Region:
    """The region a programme administrator's new questionnaire belongs to."""
    return Region.objects.filter(pk__in=admin_region_ids(user)).order_by("pk").first()


@require_safe
@role_required(ADMIN)
def rounds(request):
    return render(
        request,
        "evaluations/round_list.html",
        {"rounds": round_list(user=request.user), "today": timezone.localdate()},
    )


def _chosen_offering(request, offerings):
    """The offering named by ?offering= on the offering's page, if the user may pick it."""
    value = request.GET.get("offering", "")
    return offerings.filter(pk=value).first() if value.isdigit() else None


def _round_form(request, instance=None):
    offerings = offerings_visible_to(request.user, ADMIN_ROLES).filter(
        evaluation_round__isnull=True
    )
    initial = {}
    if instance is None:
        chosen = _chosen_offering(request, offerings)
        region_id = chosen.course.slot.programme.region_id if chosen else None
        if region_id is None:
            home = _home_region(request.user)
            region_id = home.pk if home else None
        initial = {"offering": chosen, "questionnaire": default_questionnaire_for(region_id)}
    return RoundForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        offerings=offerings.order_by("-term_index", "course__slot__position", "course__title"),
        questionnaires=questionnaires_visible_to(request.user),
    )


def _round_edit(request, instance=None):
    form = _round_form(request, instance)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_round = round_save(form=form, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The evaluation of %(offering)s is open from %(opens)s to %(closes)s.")
                % {
                    "offering": evaluation_round.offering,
                    "opens": evaluation_round.opens_on.isoformat(),
                    "closes": evaluation_round.closes_on.isoformat(),
                },
            )
            return redirect("evaluations:rounds")
    return render(
        request,
        "evaluations/round_form.html",
        {"form": form, "round": instance},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_form_methods
@role_required(ADMIN)
def round_create(request):
    return _round_edit(request)


@require_form_methods
@role_required(ADMIN)
def round_update(request, pk):
    return _round_edit(request, get_object_or_404(rounds_administrable_by(request.user), pk=pk))


@require_safe
@role_required(ADMIN)
def questionnaires(request):
    editable = set(questionnaires_editable_by(request.user).values_list("pk", flat=True))
    items = (
        questionnaires_visible_to(request.user)
        .annotate(question_count=Count("questions", distinct=True))
        .annotate(round_count=Count("rounds", distinct=True))
        .order_by("region_id", "title", "pk")
    )
    return render(
        request,
        "evaluations/questionnaire_list.html",
        {"questionnaires": items, "editable": editable},
    )


def _questionnaire_edit(request, instance: Questionnaire):
    data = request.POST if request.method == "POST" else None
    form = QuestionnaireForm(data, instance=instance)
    formset = QuestionFormSet(data, instance=instance, prefix="questions")
    answered = bool(instance.pk) and questionnaire_has_answers(instance)
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            saved = questionnaire_save(
                form=form, formset=formset, region=instance.region or _home_region(request.user)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The questionnaire has been saved."))
            return redirect("evaluations:questionnaire_update", pk=saved.pk)
    return render(
        request,
        "evaluations/questionnaire_form.html",
        {"form": form, "formset": formset, "questionnaire": instance, "answered": answered},
        status=400 if data is not None and (form.errors or not formset.is_valid()) else 200,
    )


@require_form_methods
@role_required(ADMIN)
def questionnaire_create(request):
    return _questionnaire_edit(request, Questionnaire(region=_home_region(request.user)))


@require_form_methods
@role_required(ADMIN)
def questionnaire_update(request, pk):
    return _questionnaire_edit(
        request, get_object_or_404(questionnaires_editable_by(request.user), pk=pk)
    )


@require_POST
@role_required(ADMIN)
def questionnaire_copy_view(request, pk):
    source = get_object_or_404(questionnaires_visible_to(request.user), pk=pk)
    region = source.region or _home_region(request.user)
    copy = questionnaire_copy(questionnaire=source, region=region)
    messages.success(request, _("A copy has been made. Change it and save."))
    return redirect("evaluations:questionnaire_update", pk=copy.pk)


def _results(request):
    """The results a user may read, filtered and grouped as asked; free text only for
    the regions where the user is a programme administrator."""
    responses = responses_visible_to(request.user)
    filterset = ResultsFilter(
        request.GET or None,
        queryset=responses,
        region_ids=reach(request.user, AGGREGATE_ROLES).region_ids,
    )
    by = filterset.grouping
    selected = filterset.qs
    free_text_from = (
        responses_visible_to(request.user, ADMIN_ROLES) if admin_region_ids(request.user) else None
    )
    return filterset, by, selected, free_text_from


@require_safe
@role_required(ADMIN, Role.COUNCIL)
def results(request):
    filterset, by, selected, free_text_from = _results(request)
    groups = evaluation_results(responses=selected, by=by, free_text_from=free_text_from)
    total = selected.count()
    return render(
        request,
        "evaluations/results.html",
        {
            "filter": filterset,
            "by": by,
            "by_label": dict(GROUPING_CHOICES)[by],
            "groups": groups,
            "overall": statement_summary(selected),
            "total": total,
            "values": LIKERT_VALUES,
            "is_admin": free_text_from is not None,
            "with_free_text": free_text_from is not None and by != "municipality",
            "query": request.GET.urlencode(),
        },
    )


@require_safe
@role_required(ADMIN, Role.COUNCIL)
def results_export(request, file_format):
    """The results table as a file: aggregates only, never free text."""
    filterset, by, selected, _free = _results(request)
    groups = evaluation_results(responses=selected, by=by)
    rows = []
    for group in groups:
        if group.hidden:
            rows.append([group.label, HIDDEN, "", "", "", *["" for _v in LIKERT_VALUES]])
            continue
        for statement in group.statements:
            if statement.hidden:
                rows.append(
                    [group.label, group.responses, statement.text, HIDDEN, ""]
                    + ["" for _v in LIKERT_VALUES]
                )
            else:
                rows.append(
                    [
                        group.label,
                        group.responses,
                        statement.text,
                        statement.answers,
                        statement.mean,
                    ]
                    + [count for _v, count in statement.distribution]
                )
    table = Table(
        title=_("Course evaluations"),
        headers=[
            dict(GROUPING_CHOICES)[by],
            _("Responses"),
            _("Statement"),
            _("Answers"),
            _("Mean (1–5)"),
            *[str(v) for v in LIKERT_VALUES],
        ],
        rows=rows,
    )
    filename = f"kursutvarderingar-{timezone.localdate().isoformat()}"
    return table_response(table, file_format, filename)


@require_form_methods
@role_required(Role.MANAGER)
def answer(request, round_id):
    participant = participant_for_user(request.user)
    if participant is None:
        raise Http404
    evaluation_round = get_object_or_404(rounds_for_participant(participant), pk=round_id)
    today = timezone.localdate()
    problem = answer_problem(evaluation_round=evaluation_round, participant=participant, on=today)
    if request.method == "POST" and problem:
        messages.error(request, problem)
        return redirect("enrolment:my_programme")
    form = None
    if problem is None:
        form = AnswerForm(
            request.POST if request.method == "POST" else None,
            questions=evaluation_round.questionnaire.questions.order_by("position"),
        )
        if form.is_bound and form.is_valid():
            try:
                response_submit(
                    evaluation_round=evaluation_round,
                    participant=participant,
                    answers=form.answers,
                    on=today,
                )
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, _("Thank you for your answers."))
            return redirect("enrolment:my_programme")
    return render(
        request,
        "evaluations/answer.html",
        {"round": evaluation_round, "form": form, "problem": problem},
        status=400 if form is not None and form.is_bound else 200,
    )
