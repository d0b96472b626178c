"""点单式 on the phone (m/activities/ideas/): propose an activity idea, see the open ideas by votes, vote
once or take the vote back. Organisers see the demand and adopt or close ideas in the console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.members.selectors import person_of_user

from ..forms.portal import IdeaForm
from ..selectors import portal as selectors
from ..services import ideas as services
from .portal import portal_context


@login_required
def idea_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """GET: the open ideas, most votes first, and the form; POST: propose an idea."""
    person = person_of_user(request.user)
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and person is not None and form.is_valid():
        try:
            services.propose(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Thank you: your idea is listed for others to vote."))
            return redirect("activities:portal_ideas")
    elif request.method == "POST" and person is None:
        form.add_error(None, _("Your account is not linked to a staff record."))
    return render(
        request,
        "activities/portal/ideas.html",
        portal_context(
            back_url=reverse("activities:portal_browse"),
            person=person,
            form=form,
            ideas=selectors.open_ideas(person),
            decided=selectors.recent_decided_ideas(),
        ),
        status=400 if request.method == "POST" else 200,
    )


def _vote(request: AuthenticatedRequest, pk: int, *, up: bool) -> HttpResponseBase:
    idea = selectors.idea_get(pk)
    person = person_of_user(request.user)
    try:
        if up:
            services.vote(actor=request.user, person=person, idea=idea)
        else:
            services.unvote(actor=request.user, person=person, idea=idea)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("activities:portal_ideas") + f"#idea-{idea.pk}")


@require_POST
@login_required
def idea_vote(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _vote(request, pk, up=True)


@require_POST
@login_required
def idea_unvote(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _vote(request, pk, up=False)
