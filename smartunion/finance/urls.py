from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/new/", views.budget_line_new, name="budget_line_new"),
    path("budgets/<int:pk>/", views.budget_line_edit, name="budget_line_edit"),
    path("spending/", views.request_list, name="request_list"),
    path("spending/new/", views.request_new, name="request_new"),
    path("spending/<int:pk>/", views.request_detail, name="request_detail"),
    path("spending/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("spending/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("spending/<int:pk>/pay/", views.request_pay, name="request_pay"),
    path("spending/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("spending/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("income/", views.income_list, name="income_list"),
    path("income/dues/", views.income_dues_record, name="income_dues_record"),
    path("entries/", views.ledger, name="ledger"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("audit/verify/", views.ledger_verify, name="ledger_verify"),
    path("audit/sample/", views.entry_sample, name="entry_sample"),
]
