"""Proposals pages: console part (see urls.py) — the committee's list and decisions, the handling
offices' work and the leaders' instructions and sign-off."""

from django.urls import path

from .views import console, leader, office

urlpatterns: list = [
    path("console/proposals/", console.console_list, name="console_list"),
    path("console/proposals/<int:pk>/", console.console_detail, name="console_detail"),
    path("console/proposals/<int:pk>/accept/", console.console_accept, name="console_accept"),
    path("console/proposals/<int:pk>/merge/", console.console_merge, name="console_merge"),
    path("console/proposals/<int:pk>/convert/", console.console_convert, name="console_convert"),
    path("console/proposals/<int:pk>/reject/", console.console_reject, name="console_reject"),
    path("console/proposals/<int:pk>/assign/", console.console_assign, name="console_assign"),
    path("console/proposals/<int:pk>/visibility/", console.console_visibility, name="console_visibility"),
    path("console/proposals/attachments/<int:pk>/", console.console_attachment, name="console_attachment"),
    path("console/proposals/office/", office.office_list, name="office_list"),
    path("console/proposals/office/<int:pk>/", office.office_detail, name="office_detail"),
    path("console/proposals/office/<int:pk>/return/", office.office_return, name="office_return"),
    path("console/proposals/office/<int:pk>/input/", office.office_input, name="office_input"),
    path("console/proposals/office/<int:pk>/reply/", office.office_reply, name="office_reply"),
    path("console/proposals/leader/", leader.leader_list, name="leader_list"),
    path("console/proposals/leader/<int:pk>/", leader.leader_detail, name="leader_detail"),
    path("console/proposals/leader/<int:pk>/instruct/", leader.leader_instruct, name="leader_instruct"),
    path("console/proposals/leader/<int:pk>/signoff/", leader.leader_signoff, name="leader_signoff"),
]
