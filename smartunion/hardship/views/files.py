"""Console pages of the hardship files: the list with its tabs and filters (and its export — never any
figures), a new file for a member, the file's page with every step of the procedure, the edit pages of
the figures and the household, and the download of a supporting document (logged)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.members.selectors import people as people_selectors
from smartunion.organisations import selectors as org_selectors

from ..forms.files import (
    DocumentForm,
    FileFilterForm,
    FileForm,
    HouseholdForm,
    ObjectionForm,
    OverrideForm,
    PersonPickForm,
    ReasonForm,
    ResolveForm,
    SubmitForm,
    UnitReviewForm,
    VisitForm,
)
from ..models import Consent, HardshipFile, HouseholdMember, Objection
from ..selectors import access
from ..selectors import files as selectors
from ..selectors.plan import file_management_context
from ..services import common, lifecycle
from ..services import files as services

Status = HardshipFile.Status
VIEW = "hardship.files.view"
MANAGE = "hardship.files.manage"
REVIEW = "hardship.files.review"
APPROVE = "hardship.files.approve"
MASK = "••••"


def _file_url(file: HardshipFile) -> str:
    return reverse("hardship:file_detail", args=[file.pk])


class FileTable(Table):
    """No figures here, ever: number, member, unit, category, cause, status, review date."""

    columns = [
        Column(
            "number", gettext_lazy("File number"), value=lambda f: f.number or "—", sort="number", width=14
        ),
        Column("person", gettext_lazy("Member"), value="person.name", link=_file_url, width=12),
        Column("staff_no", gettext_lazy("Staff number"), value="person.staff_no", width=12),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=20),
        Column(
            "category",
            gettext_lazy("Hardship category"),
            value="get_category_display",
            sort="category",
            width=14,
        ),
        Column("cause", gettext_lazy("Cause"), value="get_cause_display", sort="cause", width=14),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=16),
        Column("review_due_on", gettext_lazy("Annual review due"), sort="review_due_on", width=12),
    ]
    default_sort = "-created_at"
    export_name = gettext_lazy("Hardship files")


def _units(user: Any) -> Any:
    return org_selectors.unit_choices_for_user(user=user, perm=VIEW)


@require_perm(VIEW)
def file_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab = request.GET.get("tab", "all")
    if tab not in dict(selectors.TABS):
        tab = "all"
    form = FileFilterForm(request.GET or None, units=_units(request.user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "unit": form.cleaned_data["unit"],
            "category": form.cleaned_data["category"],
            "cause": form.cleaned_data["cause"],
            "review_due": form.cleaned_data["review_due"],
            "search": form.cleaned_data["q"],
        }
    files = selectors.files_list_for_user(user=request.user, tab=tab, **filters)
    if request.GET.get("export") == "xlsx":
        common.log_export(
            actor=request.user,
            kind="files",
            rows=files.count(),
            filters={
                "tab": tab,
                **{key: str(value) for key, value in filters.items() if value not in (None, "")},
            },
        )
    counts = selectors.file_counts_for_user(user=request.user)
    keep = {key: value for key, value in request.GET.items() if key in form.fields and value}
    tabs = [
        {
            "key": key,
            "label": label,
            "count": counts.get(key),
            "active": key == tab,
            "query": "&".join(f"{k}={quote(str(v))}" for k, v in keep.items()),
        }
        for key, label in selectors.TABS
    ]
    return render_table(
        request,
        FileTable(request, files),
        "hardship/files/list.html",
        {
            "tabs": tabs,
            "tab": tab,
            "form": form,
            "can_create": request.user.has_unit_perm(MANAGE),
            "breadcrumbs": [(_("Hardship files"), "")],
            "empty_title": _("No hardship files here"),
            "empty_hint": _(
                "Members apply through the portal; an officer may open a file on a member's behalf."
            ),
        },
        export_title=str(dict(selectors.TABS)[tab]),
    )


# -- a new file ------------------------------------------------------------------------------------------


def _people(user: Any) -> Any:
    scope = user.scope_for(MANAGE)
    return scope.filter(people_selectors.person_list_for_user(user=user, search=""), "unit")


@require_perm(MANAGE)
def file_new(request: AuthenticatedRequest) -> HttpResponse:
    """Step one picks the member by staff number (GET ?staff_no=); step two is the draft form."""
    people = _people(request.user)
    source = request.POST if request.method == "POST" else request.GET
    pick = PersonPickForm(source if source.get("staff_no") else None, people=people)
    person = pick.cleaned_data["staff_no"] if pick.is_bound and pick.is_valid() else None
    form = None
    current = None
    if person is not None:
        current = selectors.current_file_of(person)
        form = FileForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                file = services.file_create(
                    actor=request.user, person=person, on_behalf=True, **form.file_values()
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request, _("Draft opened. Add the household, attach the documents, then submit it.")
                )
                return redirect("hardship:file_detail", pk=file.pk)
    return render(
        request,
        "hardship/files/new.html",
        {
            "pick": pick,
            "person": person,
            "current": current,
            "form": form,
            "breadcrumbs": [
                (_("Hardship files"), reverse("hardship:file_list")),
                (_("New file"), ""),
            ],
        },
    )


# -- the file's page --------------------------------------------------------------------------------------


def _can(user: Any, code: str, file: HardshipFile) -> bool:
    return bool(user.has_unit_perm(code, file.unit))


def _detail_context(request: AuthenticatedRequest, file: HardshipFile, **forms: Any) -> dict[str, Any]:
    user = request.user
    sensitive = access.may_see_sensitive(user, file)
    manage = _can(user, MANAGE, file)
    review = _can(user, REVIEW, file)
    # School-wide decisions: the permission held at the top of the tree, not merely at the file's unit.
    approve = _can(user, APPROVE, file) and services.may_at_top(user, APPROVE)
    own = services.is_member(user, file)
    # An officer does not record the visit nor change the figures of their own submitted file.
    own_submitted = own and file.status != Status.DRAFT
    editable = file.status in services.EDIT_STATUSES or file.status == Status.ACTIVE
    objections = selectors.objections_of(file)
    blockers = services.approval_blockers(file, user) if file.status == Status.NOTICE else []
    household = selectors.household_of(file)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "file": file,
        "sensitive": sensitive,
        "mask": MASK,
        "derivation": selectors.derivation_for(file) if sensitive else None,
        "household": household,
        "has_minor": any(member.birth_year > today.year - services.MINOR_AGE for member in household),
        "has_self": any(member.relation == HouseholdMember.Relation.SELF for member in household),
        "documents": selectors.documents_of(file) if sensitive else [],
        "visits": selectors.visits_of(file),
        "objections": objections,
        "history": selectors.category_history_of(file),
        "timeline": selectors.file_timeline(file),
        "own_file": own and (manage or review or approve),
        "can_edit": manage and editable and sensitive and not own_submitted,
        "edit_needs_reason": file.status == Status.ACTIVE,
        "can_upload": manage and sensitive and not file.is_closed,
        "can_submit": manage and file.status == Status.DRAFT,
        "can_withdraw": manage and file.status in HardshipFile.OPEN_STATUSES,
        "can_visit": manage and file.status in services.VISIT_STATUSES and not own,
        "can_unit_review": review and file.status == Status.VISITED and not own,
        "can_record_objection": review
        and file.status == Status.NOTICE
        and file.notice_ends_on is not None
        and today <= file.notice_ends_on,
        "can_resolve": review and file.status == Status.NOTICE,
        "can_decide": approve and file.status == Status.NOTICE and not own,
        "approval_blockers": blockers,
        "can_override": approve and file.status in services.CURRENT_STATUSES and not own,
        "consent_notice": common.consent_notice(Consent.Purpose.HARDSHIP_FILE),
        "submit_form": SubmitForm(),
        "visit_form": VisitForm(),
        "review_form": UnitReviewForm(),
        "objection_form": ObjectionForm(),
        "resolve_form": ResolveForm(),
        "reject_form": ReasonForm(),
        "withdraw_form": ReasonForm(),
        "override_form": OverrideForm(initial={"category": file.category_override}),
        "document_form": DocumentForm(),
        "breadcrumbs": [
            (_("Hardship files"), reverse("hardship:file_list")),
            (f"{file.number or _('Draft')} · {file.person.name}", ""),
        ],
    }
    context.update(forms)
    context.update(file_management_context(file=file, user=user))
    management = context.get("management")
    if isinstance(management, dict):
        # Closing is the school union's (at the top of the tree); an officer never reviews their own file.
        management["can_close"] = bool(management.get("can_close")) and lifecycle.may_close(user, file)
        management["can_review"] = bool(management.get("can_review")) and not own
    if sensitive:
        common.log_sensitive_view(actor=user, record=file, what="file page")
    return context


@require_perm(VIEW)
def file_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    file = access.file_get_for_user(user=request.user, pk=pk)
    return render(request, "hardship/files/detail.html", _detail_context(request, file))


def _refused(request: AuthenticatedRequest, pk: int, error: ValidationError, **forms: Any) -> HttpResponse:
    file = access.file_get_for_user(user=request.user, pk=pk)
    form = next(iter(forms.values()), None)
    context = _detail_context(request, file, **forms)
    if form is not None and hasattr(error, "error_dict"):
        apply_validation_error(form, error)
        if not form.errors:
            context["action_errors"] = error.messages
    else:
        context["action_errors"] = error.messages
    return render(request, "hardship/files/detail.html", context, status=400)


def _back(pk: int, anchor: str = "") -> HttpResponseBase:
    return redirect(reverse("hardship:file_detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


# -- edits -----------------------------------------------------------------------------------------------


def _editable_file(request: AuthenticatedRequest, pk: int) -> HardshipFile:
    file = access.file_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    if not access.may_see_sensitive(request.user, file):
        raise PermissionDenied
    return file


@require_perm(MANAGE)
def file_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = _editable_file(request, pk)
    with_reason = file.status == Status.ACTIVE
    form = FileForm(
        request.POST if request.method == "POST" else None,
        initial=FileForm.initial_from(file),
        with_reason=with_reason,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.file_update(
                actor=request.user,
                file=file,
                reason=form.cleaned_data.get("reason", ""),
                **form.file_values(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Saved; the category has been recomputed."))
            return _back(file.pk)
    # The form shows the file's figures and circumstances: a sensitive view (GET or a refused POST).
    common.log_sensitive_view(actor=request.user, record=file, what="figures form")
    return render(
        request,
        "hardship/files/edit.html",
        {
            "file": file,
            "form": form,
            "with_reason": with_reason,
            "breadcrumbs": _file_crumbs(file, _("Edit the figures")),
        },
    )


def _file_crumbs(file: HardshipFile, here: str) -> list[tuple[str, str]]:
    return [
        (_("Hardship files"), reverse("hardship:file_list")),
        (f"{file.number or _('Draft')} · {file.person.name}", _file_url(file)),
        (here, ""),
    ]


@require_perm(MANAGE)
def household_add(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = _editable_file(request, pk)
    with_reason = file.status == Status.ACTIVE
    form = HouseholdForm(request.POST if request.method == "POST" else None, with_reason=with_reason)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_add(
                actor=request.user,
                file=file,
                reason=form.cleaned_data.get("reason", ""),
                **form.member_values(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Household member added; the category has been recomputed."))
            return _back(file.pk, "household")
    if request.method == "POST":
        # A refused form shows the income and health entered for the household: logged like a view.
        common.log_sensitive_view(actor=request.user, record=file, what="household form")
    return render(
        request,
        "hardship/files/household_form.html",
        {
            "file": file,
            "form": form,
            "member": None,
            "with_reason": with_reason,
            "breadcrumbs": _file_crumbs(file, _("Add a household member")),
        },
    )


def _household_member(request: AuthenticatedRequest, pk: int) -> HouseholdMember:
    member = get_object_or_404(HouseholdMember.objects.select_related("file"), pk=pk)
    _editable_file(request, member.file_id)
    return member


@require_perm(MANAGE)
def household_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    member = _household_member(request, pk)
    file = access.file_get_for_user(user=request.user, pk=member.file_id, perm=MANAGE)
    with_reason = file.status == Status.ACTIVE
    form = HouseholdForm(
        request.POST if request.method == "POST" else None,
        initial=HouseholdForm.initial_from(member),
        with_reason=with_reason,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                actor=request.user,
                member=member,
                reason=form.cleaned_data.get("reason", ""),
                **form.member_values(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Household member saved; the category has been recomputed."))
            return _back(file.pk, "household")
    # The form shows the person's income and health: a sensitive view (GET or a refused POST).
    common.log_sensitive_view(actor=request.user, record=file, what="household member")
    return render(
        request,
        "hardship/files/household_form.html",
        {
            "file": file,
            "form": form,
            "member": member,
            "with_reason": with_reason,
            "remove_form": ReasonForm() if with_reason else None,
            "breadcrumbs": _file_crumbs(file, member.name),
        },
    )


@require_perm(MANAGE)
@require_POST
def household_remove(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    member = _household_member(request, pk)
    file_pk = member.file_id
    try:
        services.household_remove(actor=request.user, member=member, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("hardship:file_household_edit", pk=pk)
    messages.success(request, _("Household member removed; the category has been recomputed."))
    return _back(file_pk, "household")


@require_perm(MANAGE)
@require_POST
def document_upload(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = _editable_file(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Choose the kind and the file.")), document_form=form)
    upload = form.cleaned_data["upload"]
    try:
        if file.is_closed:
            raise ValidationError(_("This file is closed: no documents can be added."))
        common.document_add(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            name=upload.name,
            data=upload.read(),
            file=file,
        )
    except ValidationError as error:
        return _refused(request, pk, error, document_form=form)
    messages.success(request, _("Document attached (kept encrypted)."))
    return _back(pk, "documents")


@login_required
def document_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A supporting document, for the case handlers of its record only (404 for everyone else)."""
    user = request.user
    if not (user.has_unit_perm(VIEW) or user.has_unit_perm("hardship.assistance.view")):
        raise PermissionDenied
    document = access.document_get_for_user(user=user, pk=pk)
    data = common.document_read(actor=user, document=document)
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- the procedure ---------------------------------------------------------------------------------------


@require_perm(MANAGE)
@require_POST
def file_submit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = access.file_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, pk, ValidationError(_("Confirm the member's signed consent form.")), submit_form=form
        )
    try:
        services.file_submit(
            actor=request.user,
            file=file,
            consent_method=Consent.Method.PAPER,
            guardian_consent=form.cleaned_data["guardian_consent"],
        )
    except ValidationError as error:
        return _refused(request, pk, error, submit_form=form)
    messages.success(request, _("Submitted: the file now awaits the home visit."))
    return _back(pk)


@require_perm(MANAGE)
@require_POST
def file_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _with_reason(
        request,
        pk,
        perm=MANAGE,
        service=services.file_withdraw,
        form_name="withdraw_form",
        done=_("The file is withdrawn."),
    )


def _with_reason(
    request: AuthenticatedRequest, pk: int, *, perm: str, service: Any, form_name: str, done: str
) -> HttpResponseBase:
    """An action that closes the file with a reason (withdraw, reject): the refused form comes back."""
    file = access.file_get_for_user(user=request.user, pk=pk, perm=perm)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        service(actor=request.user, file=file, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as error:
        return _refused(request, pk, error, **{form_name: form})
    messages.success(request, done)
    return _back(pk)


@require_perm(MANAGE)
@require_POST
def visit_record(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = access.file_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    form = VisitForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Check the visit's fields.")), visit_form=form)
    try:
        services.visit_record(actor=request.user, file=file, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, pk, error, visit_form=form)
    messages.success(request, _("Home visit recorded."))
    return _back(pk, "visits")


@require_perm(REVIEW)
@require_POST
def unit_review(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = access.file_get_for_user(user=request.user, pk=pk, perm=REVIEW)
    form = UnitReviewForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Choose the decision.")), review_form=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.unit_review(actor=request.user, file=file, approve=approve, note=form.cleaned_data["note"])
    except ValidationError as error:
        return _refused(request, pk, error, review_form=form)
    if approve:
        messages.success(request, _("Approved by the sub-union: the public notice has started."))
    else:
        messages.success(request, _("Not approved: the file is closed and the member is told."))
    return _back(pk)


@require_perm(REVIEW)
@require_POST
def objection_raise(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = access.file_get_for_user(user=request.user, pk=pk, perm=REVIEW)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Write down the objection.")), objection_form=form)
    try:
        services.objection_raise(actor=request.user, file=file, text=form.cleaned_data["text"])
    except ValidationError as error:
        return _refused(request, pk, error, objection_form=form)
    messages.success(request, _("Objection recorded: resolve it before the decision."))
    return _back(pk, "objections")


@require_perm(REVIEW)
@require_POST
def objection_resolve(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    objection = get_object_or_404(Objection.objects.select_related("file"), pk=pk)
    file = access.file_get_for_user(user=request.user, pk=objection.file_id, perm=REVIEW)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, file.pk, ValidationError(_("Give the outcome and the resolution.")), resolve_form=form
        )
    try:
        services.objection_resolve(
            actor=request.user,
            objection=objection,
            upheld=form.cleaned_data["upheld"] == "yes",
            resolution=form.cleaned_data["resolution"],
        )
    except ValidationError as error:
        return _refused(request, file.pk, error, resolve_form=form)
    messages.success(request, _("Objection resolved."))
    return _back(file.pk, "objections")


@require_perm(APPROVE)
@require_POST
def file_approve(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = access.file_get_for_user(user=request.user, pk=pk, perm=APPROVE)
    try:
        services.file_approve(actor=request.user, file=file)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(pk)
    messages.success(request, _("Approved: the file is active; the annual review is due in a year."))
    return _back(pk)


@require_perm(APPROVE)
@require_POST
def file_reject(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _with_reason(
        request,
        pk,
        perm=APPROVE,
        service=services.file_reject,
        form_name="reject_form",
        done=_("Not approved: the file is closed and the member is told."),
    )


@require_perm(APPROVE)
@require_POST
def category_override(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = access.file_get_for_user(user=request.user, pk=pk, perm=APPROVE)
    form = OverrideForm(request.POST)
    form.is_valid()
    try:
        services.category_override(
            actor=request.user,
            file=file,
            category=form.cleaned_data.get("category", ""),
            reason=form.cleaned_data.get("reason", ""),
        )
    except ValidationError as error:
        return _refused(request, pk, error, override_form=form)
    messages.success(request, _("Category saved; the change is in the file's history."))
    return _back(pk, "category")
