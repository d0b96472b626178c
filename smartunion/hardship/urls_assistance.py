"""Hardship pages: assistance programmes and applications (see urls.py). The console under
``console/hardship/programmes/`` and ``console/hardship/applications/``, the member's pages under
``m/services/assistance/``."""

from django.urls import path

from .views import assistance, portal_assistance, programmes

urlpatterns: list = [
    path("console/hardship/programmes/", programmes.programme_list, name="programme_list"),
    path("console/hardship/programmes/new/", programmes.programme_new, name="programme_new"),
    path("console/hardship/programmes/<int:pk>/", programmes.programme_detail, name="programme_detail"),
    path("console/hardship/programmes/<int:pk>/edit/", programmes.programme_edit, name="programme_edit"),
    path(
        "console/hardship/programmes/<int:pk>/rules/new/",
        programmes.programme_rule_new,
        name="programme_rule_new",
    ),
    path(
        "console/hardship/programmes/<int:pk>/rules/<int:rule_pk>/edit/",
        programmes.programme_rule_edit,
        name="programme_rule_edit",
    ),
    path("console/hardship/applications/", assistance.application_list, name="application_list"),
    path("console/hardship/applications/new/", assistance.application_new, name="application_new"),
    path("console/hardship/applications/<int:pk>/", assistance.application_detail, name="application_detail"),
    path(
        "console/hardship/applications/<int:pk>/review/",
        assistance.application_review,
        name="application_review",
    ),
    path(
        "console/hardship/applications/<int:pk>/approve/",
        assistance.application_approve,
        name="application_approve",
    ),
    path(
        "console/hardship/applications/<int:pk>/reject/",
        assistance.application_reject,
        name="application_reject",
    ),
    path("console/hardship/applications/<int:pk>/pay/", assistance.application_pay, name="application_pay"),
    path("m/services/assistance/", portal_assistance.portal_assistance, name="portal_assistance"),
    path(
        "m/services/assistance/apply/<int:pk>/",
        portal_assistance.portal_assistance_apply,
        name="portal_assistance_apply",
    ),
    path(
        "m/services/assistance/<int:pk>/",
        portal_assistance.portal_assistance_detail,
        name="portal_assistance_detail",
    ),
    path(
        "m/services/assistance/<int:pk>/withdraw/",
        portal_assistance.portal_assistance_withdraw,
        name="portal_assistance_withdraw",
    ),
]
