"""The member's appeal pages (m/appeals/): 我的诉求, writing a new appeal with the router's suggestion and
similar 常见问题 while typing, one appeal's progress with its replies, the rating (and reopening) and the
withdrawal, attachments, and the published questions and answers. Every appeal page acts on the
logged-in member's own appeals; anyone else's answers 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest

from ..forms.portal import AppealForm, FaqFilterForm, RatingForm
from ..models import Appeal
from ..selectors import portal as selectors
from ..services import submission

Status = Appeal.Status
PAGE_SIZE = 20
FAQ_PAGE_SIZE = 20
PersonView = Callable[..., HttpResponseBase]


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "portal_section": "services",
        "back_url": reverse("dashboards:portal_section", args=["services"]),
        **extra,
    }


def with_person(view: PersonView) -> PersonView:
    """Log in first; then run the view with the member's own person (an account without a staff record
    cannot submit: a page says so)."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = selectors.person_of(request.user)
        if person is None:
            return render(request, "appeals/portal/no_person.html", _context())
        return view(request, person, *args, **kwargs)

    return wrapper


# -- 我的诉求 --------------------------------------------------------------------------------------------


@with_person
@require_GET
def portal_list(request: AuthenticatedRequest, person: Any) -> HttpResponseBase:
    chip = request.GET.get("status", "all")
    if chip not in selectors.CHIPS:
        chip = "all"
    counts = selectors.chip_counts(person)
    page = Paginator(selectors.my_appeals(person, chip), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "appeals/portal/list.html",
        _context(
            page=page,
            chip=chip,
            counts=counts,
            chips=[
                ("all", _("All")),
                ("open", _("In progress")),
                ("replied", _("Replied — to rate")),
                ("done", _("Finished")),
            ],
        ),
    )


# -- a new appeal ------------------------------------------------------------------------------------------


@with_person
def portal_new(request: AuthenticatedRequest, person: Any) -> HttpResponseBase:
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = submission.submit(
                user=request.user,
                title=data["title"],
                body=data["body"],
                category=form.category_object(),
                is_anonymous=data["is_anonymous"],
                allow_identity_reveal=data["allow_identity_reveal"],
                allow_publish=data["allow_publish"],
                files=data.get("attachments") or [],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if appeal.status == Status.ROUTED and appeal.office_id:
                messages.success(
                    request,
                    _("Submitted as %(number)s and sent to %(office)s.")
                    % {"number": appeal.number, "office": appeal.office.name},
                )
            else:
                messages.success(
                    request,
                    _("Submitted as %(number)s. The union office sends it to the office that answers it.")
                    % {"number": appeal.number},
                )
            return redirect("appeals:portal_detail", pk=appeal.pk)
    return render(
        request,
        "appeals/portal/new.html",
        _context(form=form, back_url=reverse("appeals:portal_list")),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def portal_suggest(request: AuthenticatedRequest) -> HttpResponseBase:
    """htmx while writing: the office and category the router would choose, and published 常见问题 on a
    similar subject. POST, so that the draft never lands in a URL (access logs, proxies, history)."""
    title = request.POST.get("title", "")[:200]
    text = f"{title}\n{request.POST.get('body', '')[:3000]}".strip()
    asked = len(text) >= 4
    return render(
        request,
        "appeals/portal/_suggest.html",
        {
            "asked": asked,
            "suggestions": selectors.route_suggestions(text) if asked else [],
            "faqs": selectors.similar_faqs(text) if asked else [],
        },
    )


# -- one appeal --------------------------------------------------------------------------------------------


def _detail(
    request: AuthenticatedRequest, appeal: Appeal, *, rating_form: RatingForm | None = None, status: int = 200
) -> HttpResponseBase:
    round_ = submission.current_round(appeal)
    may_rate = submission.may_rate(appeal) and selectors.rating_of_round(appeal, round_) is None
    may_reopen = submission.may_reopen(appeal)
    replies = list(appeal.replies.all())
    ratings = {rating.round: rating for rating in appeal.ratings.all()}
    return render(
        request,
        "appeals/portal/detail.html",
        _context(
            appeal=appeal,
            steps=selectors.member_timeline(appeal),
            replies=[(reply, ratings.get(reply.round)) for reply in replies],
            attachments=list(appeal.attachments.all()),
            may_rate=may_rate,
            may_reopen=may_reopen,
            rating_form=rating_form or (RatingForm(may_reopen=may_reopen) if may_rate else None),
            may_withdraw=submission.may_withdraw(appeal),
            routed=appeal.office_id is not None and appeal.status != Status.TRIAGE,
            back_url=reverse("appeals:portal_list"),
        ),
        status=status,
    )


@login_required
@require_GET
def portal_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _detail(request, selectors.appeal_for_member(user=request.user, pk=pk))


@login_required
@require_POST
def portal_rate(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    appeal = selectors.appeal_for_member(user=request.user, pk=pk)
    form = RatingForm(request.POST, may_reopen=submission.may_reopen(appeal))
    if form.is_valid():
        data = form.cleaned_data
        try:
            appeal = submission.rate(
                user=request.user,
                appeal=appeal,
                score=data["score"],
                comment=data.get("comment") or "",
                reopen=bool(data.get("reopen")),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # not about the form's fields: e.g. already rated
                for message in error.messages:
                    messages.error(request, message)
                return redirect("appeals:portal_detail", pk=appeal.pk)
            apply_validation_error(form, error)
        else:
            if appeal.status == Status.REOPENED:
                messages.success(
                    request,
                    _("Thank you. The appeal is reopened: %(office)s answers it again by %(date)s.")
                    % {
                        "office": appeal.office.name if appeal.office else _("the office"),
                        "date": appeal.reply_due.isoformat() if appeal.reply_due else "—",
                    },
                )
            else:
                messages.success(request, _("Thank you for your rating. The appeal is closed."))
            return redirect("appeals:portal_detail", pk=appeal.pk)
    return _detail(
        request, selectors.appeal_for_member(user=request.user, pk=pk), rating_form=form, status=400
    )


@login_required
@require_POST
def portal_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    appeal = selectors.appeal_for_member(user=request.user, pk=pk)
    try:
        submission.withdraw(user=request.user, appeal=appeal, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Appeal %(number)s withdrawn.") % {"number": appeal.number})
    return redirect("appeals:portal_detail", pk=appeal.pk)


@login_required
@require_GET
def portal_attachment(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    attachment = selectors.attachment_for_member(user=request.user, appeal_pk=pk, pk=attachment_pk)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# -- 常见问题 ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def faq_list(request: AuthenticatedRequest) -> HttpResponseBase:
    categories = selectors.faq_categories()
    form = FaqFilterForm(request.GET or None, categories=categories)
    query, category = "", None
    if form.is_valid():
        query = form.cleaned_data.get("q") or ""
        category = form.cleaned_data.get("category")
    page = Paginator(selectors.faq_list(query=query, category=category), FAQ_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = _context(form=form, page=page, query=query, category=category, categories=categories)
    if request.htmx:
        return render(request, "appeals/portal/faq_list.html#results", context)
    return render(request, "appeals/portal/faq_list.html", context)


@login_required
@require_GET
def faq_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    faq = selectors.faq_get(pk)
    return render(
        request, "appeals/portal/faq_detail.html", _context(faq=faq, back_url=reverse("appeals:faq_list"))
    )


# -- portal blocks ----------------------------------------------------------------------------------------


def home_block(request: HttpRequest) -> dict[str, Any] | None:
    """首页: the replies awaiting the member's rating (nothing when there are none)."""
    awaiting = selectors.awaiting_rating(selectors.person_of(request.user))
    return {"awaiting": awaiting} if awaiting else None


def services_block(request: HttpRequest) -> dict[str, Any] | None:
    """服务: 我的诉求, a new appeal and 常见问题, with the count of replies to rate."""
    if not getattr(request.user, "is_authenticated", False):
        return None
    person = selectors.person_of(request.user)
    if person is None:
        # Appeals are written by staff members: an account without a staff record (a merchant, a
        # technical account) has nothing to do here, and its 服务 page keeps its empty state.
        return None
    return {"todo": len(selectors.awaiting_rating(person))}
