from django.urls import path

from . import views, views_books, views_budgets, views_chart, views_reports

app_name = "finance"

urlpatterns = [
    # budgets, allocation and adjustments (views_budgets)
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/new/", views.budget_line_new, name="budget_line_new"),
    path("budgets/<int:pk>/", views_budgets.budget_line_detail, name="budget_line_detail"),
    path("budgets/<int:pk>/adjust/", views_budgets.adjustment_new, name="adjustment_new"),
    path("budgets/adjustments/", views_budgets.adjustment_list, name="adjustment_list"),
    path(
        "budgets/adjustments/<int:pk>/approve/", views_budgets.adjustment_approve, name="adjustment_approve"
    ),
    path("budgets/adjustments/<int:pk>/reject/", views_budgets.adjustment_reject, name="adjustment_reject"),
    path("budgets/adjustments/<int:pk>/cancel/", views_budgets.adjustment_cancel, name="adjustment_cancel"),
    path("budgets/allocations/", views_budgets.allocation_list, name="allocation_list"),
    path("budgets/allocations/new/", views_budgets.allocation_new, name="allocation_new"),
    path("budgets/allocations/<int:pk>/", views_budgets.allocation_detail, name="allocation_detail"),
    # spending requests
    path("spending/", views.request_list, name="request_list"),
    path("spending/new/", views.request_new, name="request_new"),
    path("spending/<int:pk>/", views.request_detail, name="request_detail"),
    path("spending/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("spending/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("spending/<int:pk>/pay/", views.request_pay, name="request_pay"),
    path("spending/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("spending/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    # income, fiscal years and opening balances (views_books)
    path("income/", views.income_list, name="income_list"),
    path("income/dues/", views.income_dues_record, name="income_dues_record"),
    path("income/allocation/", views_books.allocation_income_record, name="allocation_income_record"),
    path("years/", views_books.year_list, name="year_list"),
    path("years/<int:year>/close/", views_books.year_close, name="year_close"),
    path("years/opening/", views_books.opening_balance, name="opening_balance"),
    # the chart of categories (views_chart)
    path("categories/", views_chart.category_list, name="category_list"),
    path("categories/new/", views_chart.category_new, name="category_new"),
    path("categories/<int:pk>/", views_chart.category_edit, name="category_edit"),
    # the books and the audit committee's checks
    path("entries/", views.ledger, name="ledger"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("audit/verify/", views.ledger_verify, name="ledger_verify"),
    path("audit/sample/", views.entry_sample, name="entry_sample"),
    # reports (views_reports)
    path("reports/execution/", views_reports.execution_report, name="execution_report"),
    path("reports/year/", views_reports.year_report, name="year_report"),
]
