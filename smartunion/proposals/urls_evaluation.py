"""Proposals pages: evaluation part — rating replies, the committee's decisions after a rating, 督办, the
year-end 回头看, the statistics and the annual report (see urls.py)."""

from django.urls import path

from .views import evaluation, followup, stats, supervision

C = "console/proposals/"

urlpatterns: list = [
    path("m/proposals/<int:pk>/evaluate/", evaluation.portal_evaluate, name="portal_evaluate"),
    path(f"{C}<int:pk>/unsatisfied/", evaluation.console_unsatisfied, name="console_unsatisfied"),
    path(f"{C}<int:pk>/close/", evaluation.console_close, name="console_close"),
    path(f"{C}supervision/", supervision.supervision_board, name="supervision_board"),
    path(f"{C}<int:pk>/supervise/", supervision.console_supervise, name="console_supervise"),
    path(f"{C}<int:pk>/deadline/", supervision.console_deadline, name="console_deadline"),
    path(f"{C}<int:pk>/release-reply/", evaluation.console_release_reply, name="console_release_reply"),
    path(f"{C}followup/", followup.followup_list, name="followup_list"),
    path(f"{C}followup/sessions/<int:pk>/toggle/", followup.followup_toggle, name="followup_toggle"),
    path(f"{C}followup/<int:pk>/decide/", followup.followup_decide, name="followup_decide"),
    path(f"{C}office/followup/", followup.office_followup_list, name="office_followup_list"),
    path(f"{C}office/<int:pk>/followup/", followup.office_followup, name="office_followup"),
    path(f"{C}stats/", stats.stats, name="stats"),
    path(f"{C}stats/sessions/<int:pk>/report.docx", stats.report_docx, name="report_docx"),
]
