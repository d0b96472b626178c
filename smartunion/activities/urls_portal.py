"""Activity pages: portal (see urls.py) — the member's 活动 tab under m/activities/, and the union office's
club pages under console/activities/clubs/ (written by the same part)."""

from django.urls import path

from .views import portal, portal_clubs, portal_ideas

urlpatterns: list = [
    # The 活动 tab itself (this app's page; it takes precedence over dashboards:portal_section).
    path("m/activities/", portal.browse, name="portal_browse"),
    path("m/activities/<int:pk>/", portal.activity_detail, name="portal_activity"),
    path("m/activities/<int:pk>/register/", portal.register, name="portal_register"),
    path("m/activities/mine/", portal.mine, name="portal_mine"),
    path("m/activities/registrations/<int:pk>/", portal.registration_detail, name="portal_registration"),
    path("m/activities/registrations/<int:pk>/cancel/", portal.cancel, name="portal_cancel"),
    path("m/activities/registrations/<int:pk>/accept/", portal.accept_offer, name="portal_accept"),
    path("m/activities/registrations/<int:pk>/decline/", portal.decline_offer, name="portal_decline"),
    # 社团
    path("m/activities/clubs/", portal_clubs.club_list, name="portal_clubs"),
    path("m/activities/clubs/<int:pk>/", portal_clubs.club_detail, name="portal_club"),
    path("m/activities/clubs/<int:pk>/join/", portal_clubs.club_join, name="portal_club_join"),
    path("m/activities/clubs/<int:pk>/leave/", portal_clubs.club_leave, name="portal_club_leave"),
    path("m/activities/clubs/<int:pk>/plan/", portal_clubs.club_plan, name="portal_club_plan"),
    # 点单式
    path("m/activities/ideas/", portal_ideas.idea_list, name="portal_ideas"),
    path("m/activities/ideas/<int:pk>/vote/", portal_ideas.idea_vote, name="portal_idea_vote"),
    path("m/activities/ideas/<int:pk>/unvote/", portal_ideas.idea_unvote, name="portal_idea_unvote"),
    # The union office's club pages.
    path("console/activities/clubs/", portal_clubs.console_club_list, name="club_list"),
    path("console/activities/clubs/new/", portal_clubs.console_club_new, name="club_new"),
    path("console/activities/clubs/<int:pk>/", portal_clubs.console_club_detail, name="club_detail"),
    path("console/activities/clubs/<int:pk>/plan/", portal_clubs.console_club_plan, name="club_plan"),
    path(
        "console/activities/clubs/<int:pk>/members/<int:membership_pk>/officer/",
        portal_clubs.console_club_officer,
        name="club_officer",
    ),
]
