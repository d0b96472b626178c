"""Activity pages: console (see urls.py)."""

from django.urls import URLPattern, path

from .views import console as views
from .views import console_ideas as ideas
from .views import console_registrations as registrations

P = "console/activities/"
A = f"{P}<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(P, views.activity_list, name="console_list"),
    path(f"{P}new/", views.activity_new, name="console_new"),
    path(f"{P}ideas/", ideas.idea_list, name="console_ideas"),
    path(f"{P}ideas/<int:pk>/close/", ideas.idea_close, name="console_idea_close"),
    path(f"{P}stats/", ideas.stats, name="console_stats"),
    path(A, views.activity_detail, name="console_detail"),
    path(f"{A}edit/", views.activity_edit, name="console_edit"),
    path(f"{A}publish/", views.activity_publish, name="console_publish"),
    path(f"{A}cancel/", views.activity_cancel, name="console_cancel"),
    path(f"{A}finish/", views.activity_finish, name="console_finish"),
    path(f"{A}quotas/", views.quota_set, name="console_quota_set"),
    path(f"{A}quotas/release/", registrations.quotas_release, name="console_quotas_release"),
    path(f"{A}questions/", views.question_add, name="console_question_add"),
    path(f"{A}questions/<int:question_pk>/", views.question_edit, name="console_question_edit"),
    path(f"{A}questions/<int:question_pk>/remove/", views.question_remove, name="console_question_remove"),
    path(f"{A}invitations/", views.invitations_add, name="console_invitations_add"),
    path(
        f"{A}invitations/<int:invitation_pk>/remove/",
        views.invitation_remove,
        name="console_invitation_remove",
    ),
    path(f"{A}judges/", views.judges_edit, name="console_judges"),
    path(f"{A}batches/", views.batch_list, name="console_batches"),
    path(f"{A}registrations/", registrations.registration_list, name="console_registrations"),
    path(f"{A}register/", registrations.bulk_register, name="console_bulk_register"),
    path(f"{A}lottery/", registrations.lottery, name="console_lottery"),
    path(
        f"{A}registrations/<int:registration_pk>/approve/",
        registrations.registration_approve,
        name="console_registration_approve",
    ),
    path(
        f"{A}registrations/<int:registration_pk>/reject/",
        registrations.registration_reject,
        name="console_registration_reject",
    ),
    path(
        f"{A}registrations/<int:registration_pk>/cancel/",
        registrations.registration_cancel,
        name="console_registration_cancel",
    ),
]
