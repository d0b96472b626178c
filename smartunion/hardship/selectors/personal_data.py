"""The hardship part of the member's personal data (个人信息查阅复制, PIPL art. 45): the member's own files
with their household and figures, the category and its history, home visits, help measures, reviews, the
documents (names, with the portal address where the member opens each one), the consents with the notice exactly as shown, and the assistance applications.

Objections raised by others during a notice are a third party's words: only the fact, the date and the
outcome are given, never the text or who raised it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from smartunion.core.personal_data import Section
from smartunion.hardship.models import (
    AssistanceApplication,
    CategoryChange,
    Consent,
    Document,
    HardshipFile,
    HelpMeasure,
    HomeVisit,
    HouseholdMember,
    Objection,
    Review,
)


def _file_label(file: HardshipFile | None) -> str:
    if file is None:
        return ""
    return file.number or _("Draft of %(date)s") % {"date": f"{file.created_at:%Y-%m-%d}"}


def _outcome(objection: Objection) -> str:
    if objection.upheld is None:
        return _("Being looked into")
    return _("Upheld") if objection.upheld else _("Not upheld")


def hardship_sections(person: Any, user: Any) -> list[Section]:
    files = list(HardshipFile.objects.filter(person=person).order_by("created_at", "pk"))
    applications = list(
        AssistanceApplication.objects.filter(person=person)
        .select_related("programme")
        .order_by("created_at", "pk")
    )
    labels = {file.pk: _file_label(file) for file in files}
    sections = [
        Section(
            _("Hardship files"),
            [
                _("File number"),
                _("Status"),
                _("Unit"),
                _("Year of the figures"),
                _("City"),
                _("Main cause of hardship"),
                _("Circumstances"),
                _("Housing"),
                _("Housing details"),
                _("Self-paid medical costs of the year"),
                _("Schooling costs of the year"),
                _("Other rigid expenses of the year"),
                _("Costs and losses of a sudden event"),
                _("Computed category"),
                _("Category set by an officer"),
                _("Reason for the override"),
                _("Hardship category"),
                _("Applied by an officer on my behalf"),
                _("Submitted at"),
                _("Notice from"),
                _("Objections until"),
                _("Approved at"),
                _("Annual review due"),
                _("Closed on"),
                _("Reason for closing"),
                _("Kept until"),
            ],
            [
                [
                    labels[file.pk],
                    file.get_status_display(),
                    str(file.unit),
                    file.year,
                    file.city,
                    file.get_cause_display(),
                    file.cause_detail,
                    file.get_housing_display(),
                    file.housing_detail,
                    file.medical_expense,
                    file.schooling_expense,
                    file.other_rigid_expense,
                    file.accident_costs,
                    file.get_computed_category_display(),
                    file.get_category_override_display(),
                    file.override_reason,
                    file.get_category_display(),
                    file.on_behalf,
                    file.submitted_at,
                    file.notice_starts_on,
                    file.notice_ends_on,
                    file.approved_at,
                    file.review_due_on,
                    file.closed_on,
                    file.close_reason,
                    file.retain_until,
                ]
                for file in files
            ],
        ),
        Section(
            _("Household"),
            [
                _("File number"),
                _("Relation"),
                _("Name"),
                _("Year of birth"),
                _("Occupation"),
                _("Disposable income of the year"),
                _("Health or disability"),
            ],
            [
                [
                    labels[member.file_id],
                    member.get_relation_display(),
                    member.name,
                    member.birth_year,
                    member.get_occupation_display(),
                    member.annual_income,
                    member.health,
                ]
                for member in HouseholdMember.objects.filter(file__in=files).order_by("file_id", "pk")
            ],
        ),
        Section(
            _("Category history"),
            [
                _("File number"),
                _("Changed at"),
                _("Source"),
                _("Category before"),
                _("Category after"),
                _("Reason"),
            ],
            [
                [
                    labels[change.file_id],
                    change.changed_at,
                    change.get_source_display(),
                    change.get_old_category_display(),
                    change.get_new_category_display(),
                    change.reason,
                ]
                for change in CategoryChange.objects.filter(file__in=files).order_by("changed_at", "pk")
            ],
        ),
        Section(
            _("Home visits"),
            [_("File number"), _("Visited on"), _("Visitors"), _("Findings"), _("Figures confirmed")],
            [
                [
                    labels[visit.file_id],
                    visit.visited_on,
                    visit.visitors,
                    visit.findings,
                    visit.figures_confirmed,
                ]
                for visit in HomeVisit.objects.filter(file__in=files).order_by("visited_on", "pk")
            ],
        ),
        Section(
            _("Objections during the notice"),
            [_("File number"), _("Raised at"), _("Outcome"), _("Decided at")],
            [
                [labels[objection.file_id], objection.raised_at, _outcome(objection), objection.resolved_at]
                for objection in Objection.objects.filter(file__in=files).order_by("raised_at", "pk")
            ],
            note=_("Objections are other people's words: only the date and the outcome are given here."),
        ),
        Section(
            _("Annual reviews"),
            [_("File number"), _("Due on"), _("Spot check"), _("Done at"), _("Result"), _("Note")],
            [
                [
                    labels[review.file_id],
                    review.due_on,
                    review.spot_check,
                    review.done_at,
                    review.get_result_display(),
                    review.note,
                ]
                for review in Review.objects.filter(file__in=files).order_by("due_on", "pk")
            ],
        ),
        Section(
            _("Help plan"),
            [
                _("File number"),
                _("Kind"),
                _("What help"),
                _("By whom"),
                _("When"),
                _("Status"),
                _("Done on"),
                _("Outcome"),
            ],
            [
                [
                    labels[measure.file_id],
                    measure.get_kind_display(),
                    measure.description,
                    measure.responsible,
                    measure.planned_on,
                    measure.get_status_display(),
                    measure.done_on,
                    measure.outcome,
                ]
                for measure in HelpMeasure.objects.filter(file__in=files).order_by("planned_on", "pk")
            ],
        ),
        Section(
            _("Assistance applications"),
            [
                _("Application number"),
                _("Assistance programme"),
                _("Year"),
                _("Status"),
                _("Measured value"),
                _("Circumstances"),
                _("Bank account for the payment"),
                _("Standard amount"),
                _("Approved amount"),
                _("Submitted at"),
                _("Approved at"),
                _("Paid at"),
                _("Reason for rejection"),
            ],
            [
                [
                    application.number,
                    application.programme.name,
                    application.year,
                    application.get_status_display(),
                    application.condition_value,
                    application.reason,
                    application.bank_account,
                    application.band_amount,
                    application.approved_amount,
                    application.created_at,
                    application.approved_at,
                    application.paid_at,
                    application.reject_reason,
                ]
                for application in applications
            ],
        ),
        Section(
            _("Supporting documents"),
            [
                _("File or application"),
                _("Kind"),
                _("File name"),
                _("Size (bytes)"),
                _("Uploaded at"),
                _("Open it at"),
            ],
            [
                [
                    labels.get(document.file_id or 0)
                    or (document.application.number if document.application else ""),
                    document.get_kind_display(),
                    document.filename,
                    document.size,
                    document.uploaded_at,
                    reverse("hardship:portal_document", args=[document.pk]),
                ]
                for document in _documents(files, applications)
            ],
            note=_(
                "Open each document yourself from your hardship page in the portal (Services → Hardship help) "
                "or at the address given: only you can open your own documents there."
            ),
        ),
        Section(
            _("Consents to process sensitive information"),
            [
                _("Consent for"),
                _("Notice version"),
                _("How given"),
                _("Guardian's consent for minors"),
                _("Given at"),
                _("Notice shown"),
            ],
            [
                [
                    consent.get_purpose_display(),
                    consent.notice_version,
                    consent.get_method_display(),
                    consent.guardian_consent,
                    consent.given_at,
                    consent.notice_text,
                ]
                for consent in Consent.objects.filter(person=person).order_by("given_at", "pk")
            ],
        ),
    ]
    return sections


def _documents(files: list[HardshipFile], applications: list[AssistanceApplication]) -> list[Document]:
    return list(
        Document.objects.filter(Q(file__in=files) | Q(application__in=applications))
        .select_related("application")
        .defer("content")
        .order_by("uploaded_at", "pk")
    )
