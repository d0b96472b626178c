"""The member's hardship file in the portal (服务 → 困难帮扶): where it stands and what happens next, or what
困难职工认定 is and how to apply; the one-screen application, the household and documents, the consent and
submission, withdrawing. Phone first.

Every page acts on the logged-in user's own files only: another member's file is not found (404). The
member sees their own figures (it is their data), so these pages write no sensitive-view log. The member
may open their own documents (``portal_document``); the read is logged like every document read."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.members.selectors import person_of_user

from ..forms.portal import ApplyForm, DocumentForm, HouseholdForm, SubmitForm, WithdrawForm
from ..models import Consent, HardshipFile, HouseholdMember
from ..selectors import access
from ..services import common, retention
from ..services import files as file_services

Status = HardshipFile.Status
PersonView = Callable[..., HttpResponseBase]


def _next_step(file: HardshipFile) -> str:
    """What happens next, in the member's words."""
    steps: dict[str, str] = {
        Status.DRAFT: _(
            "Your application is not submitted yet. Add your household and documents, then submit it."
        ),
        Status.APPLIED: _(
            "Submitted. Your sub-union will call to arrange a home visit (入户走访) to confirm the figures."
        ),
        Status.VISITED: _("The home visit is recorded. Your sub-union reviews the application next."),
        Status.NOTICE: _(
            "Your sub-union recommends your file. It is in public notice (公示) until %(date)s — only your "
            "name and unit are shown — then the school union decides."
        )
        % {"date": file.notice_ends_on.isoformat() if file.notice_ends_on else ""},
        Status.ACTIVE: _(
            "Your file is active. Your union plans the help with you and reviews the file once a year "
            "(next by %(date)s). Tell your sub-union when your circumstances change."
        )
        % {"date": file.review_due_on.isoformat() if file.review_due_on else "—"},
        Status.EXITED: _("Your family is out of hardship (脱困). You can apply again if things change."),
        Status.REMOVED: _("The file was closed. Ask your sub-union if you have questions."),
        Status.REJECTED: _(
            "The application was not approved. Ask your sub-union for the reasons; you can apply again."
        ),
        Status.WITHDRAWN: _("You withdrew the application. You can apply again at any time."),
    }
    return str(steps.get(file.status, ""))


def _data(request: Any) -> Any:
    """The POST data of a POST (even an empty one: an unticked consent box must be an error), else None."""
    return request.POST if request.method == "POST" else None


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "portal_section": "services",
        "back_url": reverse("dashboards:portal_section", args=["services"]),
        **extra,
    }


def with_person(view: PersonView) -> PersonView:
    """Log in first; then run the view with the user's own person (an account without a staff record
    cannot apply: a page says so)."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = person_of_user(request.user)
        if person is None:
            return render(request, "hardship/portal/file_no_person.html", _context())
        return view(request, person, *args, **kwargs)

    return wrapper


def _own_file(person: Any, pk: Any) -> HardshipFile:
    """One of the member's own files; anybody else's is not found."""
    file = HardshipFile.objects.select_related("person", "unit").filter(pk=pk, person=person).first()
    if file is None:
        raise Http404
    return file


def _current_file(person: Any) -> HardshipFile | None:
    files = HardshipFile.objects.filter(person=person).select_related("unit")
    current = files.filter(status__in=file_services.CURRENT_STATUSES).first()
    return current or files.order_by("-updated_at", "-pk").first()


# -- the overview ------------------------------------------------------------------------------------


@with_person
def portal_file(request: AuthenticatedRequest, person: Any) -> HttpResponse:
    file = _current_file(person)
    context: dict[str, Any] = {"person": person, "file": file}
    if file is not None:
        context.update(
            next_step=_next_step(file),
            household=list(file.household.all()),
            documents=list(file.documents.defer("content").order_by("pk")),
            may_apply_again=file.is_closed,
            may_withdraw=file.status in HardshipFile.OPEN_STATUSES,
            applications=list(file.applications.select_related("programme").order_by("-created_at")[:10]),
        )
    return render(request, "hardship/portal/file_home.html", _context(**context))


# -- applying --------------------------------------------------------------------------------------


@with_person
def portal_file_apply(request: AuthenticatedRequest, person: Any) -> HttpResponseBase:
    current = HardshipFile.objects.filter(person=person, status__in=file_services.CURRENT_STATUSES).first()
    if current is not None:
        if current.status == Status.DRAFT:
            return redirect("hardship:portal_file_edit", pk=current.pk)
        messages.info(request, _("You already have a hardship file: one file per family."))
        return redirect("hardship:portal_file")
    form = ApplyForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            file = file_services.file_create(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Saved. Now add the people of your household."))
            return redirect("hardship:portal_file_household", pk=file.pk)
    return render(
        request,
        "hardship/portal/file_apply.html",
        _context(form=form, file=None, person=person, draft_days=retention.draft_days()),
    )


@with_person
def portal_file_edit(request: AuthenticatedRequest, person: Any, pk: int) -> HttpResponseBase:
    file = _own_file(person, pk)
    if file.status != Status.DRAFT:
        messages.info(request, _("This file has been submitted: ask the sub-union to record changes."))
        return redirect("hardship:portal_file")
    form = ApplyForm(_data(request), initial=ApplyForm.initial_of(file))
    if request.method == "POST" and form.is_valid():
        try:
            file_services.file_update(actor=request.user, file=file, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("hardship:portal_file_household", pk=file.pk)
    return render(
        request,
        "hardship/portal/file_apply.html",
        _context(form=form, file=file, person=person, draft_days=retention.draft_days()),
    )


@with_person
def portal_file_household(request: AuthenticatedRequest, person: Any, pk: int) -> HttpResponseBase:
    file = _own_file(person, pk)
    if file.status != Status.DRAFT:
        return redirect("hardship:portal_file")
    household = list(file.household.all())
    has_self = any(member.relation == HouseholdMember.Relation.SELF for member in household)
    initial: dict[str, Any] = {}
    if not has_self:
        initial = {"relation": HouseholdMember.Relation.SELF, "name": person.name}
        if person.birth_date:
            initial["birth_year"] = person.birth_date.year
        initial["occupation"] = HouseholdMember.Occupation.EMPLOYED
    else:
        initial = {"relation": HouseholdMember.Relation.SPOUSE}
    form = HouseholdForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            file_services.household_add(actor=request.user, file=file, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("%(name)s added to the household.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("hardship:portal_file_household", pk=file.pk)
    return render(
        request,
        "hardship/portal/file_household.html",
        _context(
            file=file,
            household=household,
            has_self=has_self,
            form=form,
            document_form=DocumentForm(),
            documents=list(file.documents.defer("content").order_by("pk")),
        ),
    )


@require_POST
@with_person
def portal_household_remove(
    request: AuthenticatedRequest, person: Any, pk: int, member_pk: int
) -> HttpResponseBase:
    file = _own_file(person, pk)
    member = HouseholdMember.objects.filter(pk=member_pk, file=file).first()
    if member is None:
        raise Http404
    try:
        file_services.household_remove(actor=request.user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s removed from the household.") % {"name": member.name})
    return redirect("hardship:portal_file_household", pk=file.pk)


@require_POST
@with_person
def portal_file_document(request: AuthenticatedRequest, person: Any, pk: int) -> HttpResponseBase:
    file = _own_file(person, pk)
    if file.status != Status.DRAFT:
        messages.error(request, _("This file has been submitted: give further documents to your sub-union."))
        return redirect("hardship:portal_file")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            common.document_add(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                name=upload.name,
                data=upload.read(),
                file=file,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("“%(name)s” attached.") % {"name": upload.name})
    else:
        messages.error(
            request, " ".join(str(message) for errors in form.errors.values() for message in errors)
        )
    return redirect("hardship:portal_file_household", pk=file.pk)


@login_required
def portal_document(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One of the member's own documents (of their file or their assistance application); anyone else's —
    even for an officer who could open it in the console — is not found here."""
    document = access.document_get_for_user(user=request.user, pk=pk)
    record = document.file or document.application
    if record is None or getattr(record.person, "user_id", None) != request.user.pk:
        raise Http404
    data = common.document_read(actor=request.user, document=document)
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@with_person
def portal_file_submit(request: AuthenticatedRequest, person: Any, pk: int) -> HttpResponseBase:
    file = _own_file(person, pk)
    if file.status != Status.DRAFT:
        return redirect("hardship:portal_file")
    minor = file_services.has_minor(file)
    form = SubmitForm(_data(request), minor=minor)
    if request.method == "POST" and form.is_valid():
        try:
            file_services.file_submit(
                actor=request.user,
                file=file,
                consent_method=Consent.Method.ONLINE,
                guardian_consent=bool(form.cleaned_data.get("guardian_consent")),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Submitted. Your sub-union will be in touch for the home visit."))
            return redirect("hardship:portal_file")
    household = list(file.household.all())
    return render(
        request,
        "hardship/portal/file_submit.html",
        _context(
            file=file,
            form=form,
            minor=minor,
            household=household,
            has_self=any(member.relation == HouseholdMember.Relation.SELF for member in household),
            documents=list(file.documents.defer("content").order_by("pk")),
            notice=common.consent_notice(Consent.Purpose.HARDSHIP_FILE),
        ),
    )


@with_person
def portal_file_withdraw(request: AuthenticatedRequest, person: Any, pk: int) -> HttpResponseBase:
    file = _own_file(person, pk)
    if file.status not in HardshipFile.OPEN_STATUSES:
        messages.info(request, _("This file can no longer be withdrawn."))
        return redirect("hardship:portal_file")
    form = WithdrawForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            file_services.file_withdraw(actor=request.user, file=file, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your hardship application is withdrawn."))
            return redirect("hardship:portal_file")
    return render(request, "hardship/portal/file_withdraw.html", _context(file=file, form=form))


def portal_block(request: Any) -> dict[str, Any] | None:
    """服务's hardship block: the member's file and its status, and how many public notices are open."""
    from ..selectors.notices import current_notices

    person = person_of_user(request.user)
    if person is None:  # an account without a staff record (the notices page stays open to it)
        return None
    return {"file": _current_file(person), "notices": len(current_notices())}
