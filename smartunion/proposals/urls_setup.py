"""Proposals pages: setup part (see urls.py) — congress terms, sessions, delegations, representatives,
the proposal committee and the categories, under ``console/proposals/``."""

from django.urls import path

from .views import setup, setup_categories, setup_people

urlpatterns: list = [
    path("console/proposals/congresses/", setup.congress_list, name="congress_list"),
    path("console/proposals/congresses/new/", setup.congress_new, name="congress_new"),
    path("console/proposals/congresses/<int:pk>/", setup.congress_detail, name="congress_detail"),
    path("console/proposals/congresses/<int:pk>/edit/", setup.congress_edit, name="congress_edit"),
    path("console/proposals/congresses/<int:pk>/sessions/new/", setup.session_new, name="session_new"),
    path("console/proposals/sessions/<int:pk>/edit/", setup.session_edit, name="session_edit"),
    path(
        "console/proposals/congresses/<int:pk>/delegations/new/", setup.delegation_new, name="delegation_new"
    ),
    path("console/proposals/delegations/<int:pk>/edit/", setup.delegation_edit, name="delegation_edit"),
    path(
        "console/proposals/congresses/<int:pk>/representatives/add/",
        setup_people.representative_add,
        name="representative_add",
    ),
    path(
        "console/proposals/congresses/<int:pk>/representatives/import/",
        setup_people.representative_import,
        name="representative_import",
    ),
    path(
        "console/proposals/congresses/<int:pk>/representatives/export/",
        setup_people.representative_export,
        name="representative_export",
    ),
    path(
        "console/proposals/representatives/<int:pk>/edit/",
        setup_people.representative_edit,
        name="representative_edit",
    ),
    path(
        "console/proposals/representatives/<int:pk>/remove/",
        setup_people.representative_remove,
        name="representative_remove",
    ),
    path(
        "console/proposals/congresses/<int:pk>/committee/add/",
        setup_people.committee_add,
        name="committee_add",
    ),
    path(
        "console/proposals/committee/<int:pk>/remove/", setup_people.committee_remove, name="committee_remove"
    ),
    path("console/proposals/categories/", setup_categories.category_list, name="category_list"),
    path("console/proposals/categories/new/", setup_categories.category_new, name="category_new"),
    path("console/proposals/categories/<int:pk>/edit/", setup_categories.category_edit, name="category_edit"),
]
