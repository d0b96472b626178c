"""Console pages of the assistance programmes: the list, a programme with its rule versions and bands,
creating and editing a programme, a new rule version, and correcting a version no application uses.

Reading is for every holder of ``hardship.assistance.view`` (the programmes are school-wide: the same pages
on every side); writing needs ``hardship.assistance.manage`` at the top of the tree."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.assistance import ProgrammeForm, RuleForm
from ..models import AssistanceProgramme
from ..selectors import assistance as selectors
from ..services import programmes as services


def _require_manage(request: AuthenticatedRequest) -> None:
    if not services.may_manage(request.user):
        raise PermissionDenied


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Assistance programmes"), reverse("hardship:programme_list")), *extra]


@require_perm("hardship.assistance.view")
def programme_list(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    for programme in selectors.programmes():
        rule = services.rule_on(programme, today)
        rows.append({"programme": programme, "rule": rule, "bands": services.bands_of(rule) if rule else []})
    return render(
        request,
        "hardship/assistance/programme_list.html",
        {
            "rows": rows,
            "can_manage": services.may_manage(request.user),
            "breadcrumbs": [(_("Assistance programmes"), "")],
        },
    )


@require_perm("hardship.assistance.view")
def programme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(pk)
    today = timezone.localdate()
    current = services.rule_on(programme, today)
    used = selectors.rule_use_counts(programme)
    versions = [
        {
            "rule": rule,
            "bands": list(rule.bands.all()),
            "used": used.get(rule.pk, 0),
            "current": current is not None and rule.pk == current.pk,
            "future": rule.effective_from > today,
        }
        for rule in selectors.rules_of(programme)
    ]
    return render(
        request,
        "hardship/assistance/programme_detail.html",
        {
            "programme": programme,
            "versions": versions,
            "current": current,
            "can_manage": services.may_manage(request.user),
            "breadcrumbs": _crumbs((programme.name, "")),
        },
    )


def _programme_fields(form: ProgrammeForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["sort_order"] = data.get("sort_order") or 0
    return data


@require_perm("hardship.assistance.manage")
def programme_new(request: AuthenticatedRequest) -> HttpResponse:
    _require_manage(request)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **_programme_fields(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Programme created: now add its rules and amount bands."))
            return redirect("hardship:programme_rule_new", pk=programme.pk)
    return render(
        request,
        "hardship/assistance/programme_form.html",
        {"form": form, "programme": None, "breadcrumbs": _crumbs((_("New programme"), ""))},
    )


@require_perm("hardship.assistance.manage")
def programme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_manage(request)
    programme = selectors.programme_get(pk)
    initial = {field: getattr(programme, field) for field in services.PROGRAMME_FIELDS}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(actor=request.user, programme=programme, **_programme_fields(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("hardship:programme_detail", pk=programme.pk)
    return render(
        request,
        "hardship/assistance/programme_form.html",
        {
            "form": form,
            "programme": programme,
            "breadcrumbs": _crumbs(
                (programme.name, reverse("hardship:programme_detail", args=[programme.pk])), (_("Edit"), "")
            ),
        },
    )


def _rule_page(
    request: AuthenticatedRequest,
    programme: AssistanceProgramme,
    form: RuleForm,
    rule: Any,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "hardship/assistance/rule_form.html",
        {
            "form": form,
            "programme": programme,
            "rule": rule,
            "breadcrumbs": _crumbs(
                (programme.name, reverse("hardship:programme_detail", args=[programme.pk])),
                (_("Correct a rules version") if rule else _("New rules version"), ""),
            ),
        },
        status=status,
    )


def _apply_rule_error(form: RuleForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        bands = error.error_dict.pop("bands", [])
        apply_validation_error(form, error)
        for item in bands:
            for message in item.messages:
                form.add_error(None, message)
    else:
        apply_validation_error(form, error)


@require_perm("hardship.assistance.manage")
def programme_rule_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A new version of the rules from a date (the previous open version ends the day before)."""
    _require_manage(request)
    programme = selectors.programme_get(pk)
    latest = selectors.rules_of(programme).first()
    initial = RuleForm.initial_from(latest, list(latest.bands.all()), with_date=False) if latest else {}
    initial["effective_from"] = timezone.localdate()
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_create(
                actor=request.user,
                programme=programme,
                effective_from=data["effective_from"],
                yearly_limit_count=data["yearly_limit_count"],
                yearly_limit_amount=data["yearly_limit_amount"],
                one_spouse_only=data["one_spouse_only"],
                staff_approval_limit=data["staff_approval_limit"],
                bands=form.bands(),
            )
        except ValidationError as error:
            _apply_rule_error(form, error)
        else:
            messages.success(
                request,
                _("The new rules apply from %(date)s.") % {"date": data["effective_from"].isoformat()},
            )
            return redirect("hardship:programme_detail", pk=programme.pk)
    return _rule_page(request, programme, form, None, status=400 if form.errors else 200)


@require_perm("hardship.assistance.manage")
def programme_rule_edit(request: AuthenticatedRequest, pk: int, rule_pk: int) -> HttpResponse:
    """Correct a version no application uses yet (its dates stay)."""
    _require_manage(request)
    programme = selectors.programme_get(pk)
    rule = selectors.rule_get(programme, rule_pk)
    if services.rule_in_use(rule):
        messages.error(
            request,
            _("Applications already use this version: it cannot be changed. Add a new version instead."),
        )
        return redirect("hardship:programme_detail", pk=programme.pk)
    form = RuleForm(
        request.POST or None,
        initial=RuleForm.initial_from(rule, services.bands_of(rule), with_date=False),
        with_date=False,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rule_update(
                actor=request.user,
                rule=rule,
                yearly_limit_count=data["yearly_limit_count"],
                yearly_limit_amount=data["yearly_limit_amount"],
                one_spouse_only=data["one_spouse_only"],
                staff_approval_limit=data["staff_approval_limit"],
                bands=form.bands(),
            )
        except ValidationError as error:
            _apply_rule_error(form, error)
        else:
            messages.success(request, _("Rules version saved."))
            return redirect("hardship:programme_detail", pk=programme.pk)
    return _rule_page(request, programme, form, rule, status=400 if form.errors else 200)
