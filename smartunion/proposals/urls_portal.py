"""Proposals pages: portal part (see urls.py) — the representative's workspace, drafting, 附议, the progress
view and the public board, under m/proposals/."""

from django.urls import path

from .views import portal, portal_progress

urlpatterns: list = [
    path("m/proposals/", portal.portal_home, name="portal_home"),
    path("m/proposals/new/", portal.portal_new, name="portal_new"),
    path("m/proposals/similar/", portal.portal_similar, name="portal_similar"),
    path("m/proposals/board/", portal_progress.portal_board, name="portal_board"),
    path("m/proposals/<int:pk>/", portal_progress.portal_detail, name="portal_detail"),
    path("m/proposals/<int:pk>/edit/", portal.portal_edit, name="portal_edit"),
    path("m/proposals/<int:pk>/autosave/", portal.portal_autosave, name="portal_autosave"),
    path("m/proposals/<int:pk>/cosigners/", portal.portal_invite, name="portal_invite"),
    path("m/proposals/invitations/<int:pk>/", portal.portal_cosign, name="portal_cosign"),
    path("m/proposals/<int:pk>/attachments/", portal.portal_attachment_add, name="portal_attachment_add"),
    path(
        "m/proposals/attachments/<int:pk>/remove/",
        portal.portal_attachment_remove,
        name="portal_attachment_remove",
    ),
    path("m/proposals/attachments/<int:pk>/", portal_progress.portal_attachment, name="portal_attachment"),
    path("m/proposals/<int:pk>/submit/", portal.portal_submit, name="portal_submit"),
    path("m/proposals/<int:pk>/withdraw/", portal.portal_withdraw, name="portal_withdraw"),
]
