"""The registrations of an activity in the console: the table (filters; Excel with one column per question),
the lottery (seed, draw, result with the explanation), approval, an organiser's cancel of one registration,
bulk registration by unit officers, and releasing the unit quotas now. The allocation itself is the engine's
(services/registration.py)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.masking import redact
from smartunion.core.permissions import require_perm

from ..forms.console import ReasonForm, RegistrationFilterForm, StaffNumbersForm
from ..models import Activity, Question, Registration
from ..selectors import activities as selectors
from ..services import activities as services
from .console import crumbs, detail_url

VIEW = "activities.view"
MANAGE = "activities.manage"
REGISTER = "activities.register_members"


def engine() -> ModuleType:
    from ..services import registration

    return registration


def answer_text(registration: Registration, question: Question) -> str:
    answers = registration.answers or {}
    value = answers.get(str(question.pk), answers.get(question.label, ""))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def _children(registration: Registration) -> str:
    return "、".join(f"{p.name}（{p.age_on_start}）" for p in registration.dependants.all())


def _team(registration: Registration) -> str:
    team = registration.team
    if team is None:
        return ""
    return f"{team.name}：" + "、".join(m.person.name for m in team.members.all())


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@require_perm(VIEW)
def registration_list(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    unit_ids = set(Registration.objects.filter(activity=activity).values_list("unit_id", flat=True))
    form = RegistrationFilterForm(request.GET or None, unit_ids=unit_ids)
    filters = form.filters()
    registrations = selectors.registrations_of(activity, **filters)
    questions = list(activity.questions.all())
    if request.GET.get("export") == "xlsx":
        return _export(request, activity, registrations, questions)
    rows = list(registrations[:500])
    for registration in rows:
        registration.answer_cells = [answer_text(registration, q) for q in questions]  # type: ignore[attr-defined]
    return render(
        request,
        "activities/console/registrations.html",
        {
            "activity": activity,
            "form": form,
            "rows": rows,
            "total": registrations.count(),
            "questions": questions,
            "can_manage": services.may_manage(request.user, activity),
            "breadcrumbs": crumbs((activity.title, detail_url(activity)), (_("Registrations"), "")),
        },
    )


def _export(
    request: AuthenticatedRequest, activity: Activity, registrations: Any, questions: list[Question]
) -> HttpResponseBase:
    columns = [
        SheetColumn(_("Staff number"), 12),
        SheetColumn(_("Name"), 10),
        SheetColumn(_("Unit"), 24),
        SheetColumn(_("Status"), 12),
        SheetColumn(_("Places"), 8),
        SheetColumn(_("Children"), 20),
        SheetColumn(_("Team"), 24),
        *[SheetColumn(q.label, 18) for q in questions],
        SheetColumn(_("Registered at"), 18),
        SheetColumn(_("Confirmed at"), 18),
        SheetColumn(_("Checked in at"), 18),
        SheetColumn(_("Checked out at"), 18),
        SheetColumn(_("Lottery tier"), 8),
        SheetColumn(_("Lottery position"), 8),
    ]

    def rows() -> Iterator[list[Any]]:
        for r in registrations.iterator(chunk_size=500):
            yield [
                r.person.staff_no,
                r.person.name,
                r.unit.name,
                r.get_status_display(),
                r.quantity,
                _children(r),
                _team(r),
                *[answer_text(r, q) for q in questions],
                _local(r.created_at),
                _local(r.confirmed_at),
                _local(r.checked_in_at),
                _local(r.checked_out_at),
                r.lottery_tier,
                r.lottery_position,
            ]

    name = _("Registrations")
    counted = {"rows": 0}

    def write(handle: Any) -> None:
        counted["rows"] = write_workbook(
            handle,
            sheet_title=str(name),
            columns=columns,
            rows=rows(),
            title=f"{activity.title} · {name}",
            notes=[_("Exported %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}],
        )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = xlsx_response(f"{activity.title}-{name}-{stamp}.xlsx", write)
    audit(
        actor=request.user,
        action="core.list.exported",
        target=activity,
        changes={
            "list": str(name),
            "rows": counted["rows"],
            "filters": {k: redact(str(v)) for k, v in request.GET.items() if k != "export"},
            "unmasked_columns": [],
        },
    )
    return response


# -- the lottery ---------------------------------------------------------------------------------------------


@require_perm(VIEW)
def lottery(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    if activity.allocation != Activity.Allocation.LOTTERY:
        messages.info(request, _("This activity is not allocated by lottery."))
        return redirect(detail_url(activity))
    can_manage = services.may_manage(request.user, activity)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        publishing = request.POST.get("action") == "publish_seed"
        try:
            if publishing:
                seed = (request.POST.get("seed") or "").strip() or None
                engine().lottery_seed_publish(actor=request.user, activity=activity, seed=seed)
            else:
                # The draw uses the seed published before the close (never one given now).
                result = engine().lottery_draw(actor=request.user, activity=activity)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if publishing:
                messages.success(request, _("The seed is published: anyone can re-run the draw with it."))
            elif result.get("derived"):
                messages.success(
                    request,
                    _(
                        "The lottery was drawn; the members were told. No seed was published before "
                        "registration closed, so the seed %(seed)s was derived from the activity and its "
                        "entries (anyone can recompute it)."
                    )
                    % {"seed": result["seed"]},
                )
            else:
                messages.success(request, _("The lottery was drawn; the members were told."))
        return redirect("activities:console_lottery", pk=activity.pk)
    entries = list(selectors.lottery_entries(activity)[:1000])
    explain = engine().lottery_explanation if activity.lottery_drawn_at else None
    for entry in entries:
        entry.explanation = explain(entry) if explain else ""  # type: ignore[attr-defined]
    now = timezone.now()
    return render(
        request,
        "activities/console/lottery.html",
        {
            "activity": activity,
            "entries": entries,
            "numbers": selectors.numbers(activity),
            "can_manage": can_manage,
            "can_publish_seed": can_manage
            and activity.lottery_drawn_at is None
            and activity.registration_closes_at > now
            and activity.status in (Activity.Status.DRAFT, Activity.Status.PUBLISHED),
            "can_draw": can_manage
            and activity.lottery_drawn_at is None
            and activity.status == Activity.Status.PUBLISHED
            and activity.registration_closes_at <= now,
            "closes_later": activity.registration_closes_at > now,
            "breadcrumbs": crumbs((activity.title, detail_url(activity)), (_("Lottery"), "")),
        },
    )


# -- approval, an organiser's cancel -------------------------------------------------------------------------


def _registration(
    request: AuthenticatedRequest, pk: int, registration_pk: int
) -> tuple[Activity, Registration]:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    return activity, selectors.registration_get(activity=activity, pk=registration_pk)


def _back(request: AuthenticatedRequest, activity: Activity) -> HttpResponseBase:
    target = request.POST.get("next", "")
    if target.startswith(f"/console/activities/{activity.pk}/"):
        return redirect(target)
    return redirect("activities:console_registrations", pk=activity.pk)


@require_POST
@require_perm(MANAGE)
def registration_approve(request: AuthenticatedRequest, pk: int, registration_pk: int) -> HttpResponseBase:
    activity, registration = _registration(request, pk, registration_pk)
    try:
        engine().approve(actor=request.user, registration=registration)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is approved.") % {"name": registration.person.name})
    return _back(request, activity)


def _reason_page(
    request: AuthenticatedRequest, pk: int, registration_pk: int, *, action: str
) -> HttpResponseBase:
    activity, registration = _registration(request, pk, registration_pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if action == "reject":
                engine().reject(actor=request.user, registration=registration, reason=reason)
            else:
                engine().cancel(actor=request.user, registration=registration, reason=reason)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was not approved; they were told why.") % {"name": registration.person.name}
                if action == "reject"
                else _("The registration of %(name)s was cancelled; they were told why.")
                % {"name": registration.person.name},
            )
            return _back(request, activity)
    title = _("Do not approve") if action == "reject" else _("Cancel the registration")
    return render(
        request,
        "activities/console/registration_reason.html",
        {
            "activity": activity,
            "registration": registration,
            "form": form,
            "title": title,
            "action": action,
            "breadcrumbs": crumbs((activity.title, detail_url(activity)), (str(title), "")),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_perm(MANAGE)
def registration_reject(request: AuthenticatedRequest, pk: int, registration_pk: int) -> HttpResponseBase:
    return _reason_page(request, pk, registration_pk, action="reject")


@require_perm(MANAGE)
def registration_cancel(request: AuthenticatedRequest, pk: int, registration_pk: int) -> HttpResponseBase:
    return _reason_page(request, pk, registration_pk, action="cancel")


# -- bulk registration, quota release ------------------------------------------------------------------------


@require_perm(REGISTER)
def bulk_register(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """A unit officer registers their members (staff numbers pasted) within their quota; each outcome shown."""
    activity = selectors.activity_for_officer(user=request.user, pk=pk, perm=REGISTER)
    form = StaffNumbersForm(request.POST or None)
    outcomes: list[Any] = []
    unknown: list[str] = []
    outside: list[Any] = []
    if request.method == "POST" and form.is_valid():
        numbers = services._staff_numbers(form.cleaned_data["staff_numbers"])
        people, unknown = selectors.people_by_staff_numbers(numbers)
        scope = request.user.scope_for(REGISTER)
        outside = [p for p in people if not scope.covers(p.unit.path)]
        people = [p for p in people if scope.covers(p.unit.path)]
        if people:
            try:
                outcomes = list(engine().bulk_register(actor=request.user, activity=activity, people=people))
            except ValidationError as error:
                apply_validation_error(form, error)
    quotas = [
        q for q in selectors.quotas_of(activity) if request.user.scope_for(REGISTER).covers(q.unit.path)
    ]
    return render(
        request,
        "activities/console/bulk.html",
        {
            "activity": activity,
            "form": form,
            "outcomes": outcomes,
            "unknown": unknown,
            "outside": outside,
            "quotas": quotas,
            "breadcrumbs": crumbs((activity.title, detail_url(activity)), (_("Register members"), "")),
        },
    )


@require_POST
@require_perm(MANAGE)
def quotas_release(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    try:
        released = services.quotas_release_now(actor=request.user, activity=activity)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)s unused quota places returned to the pool.") % {"n": released})
    return redirect(detail_url(activity) + "#quotas")
