from django.urls import path

from .views import applications as applications_views
from .views import corrections as corrections_views
from .views import dues as dues_views
from .views import kpis as kpis_views
from .views import people as people_views
from .views import portal as portal_views

app_name = "members"

urlpatterns = [
    path("", people_views.person_list, name="person_list"),
    path("<int:pk>/", people_views.person_detail, name="person_detail"),
    path("<int:pk>/reveal-id/", people_views.person_reveal_id, name="person_reveal_id"),
    # -- dues and KPIs
    path("dues/", dues_views.dues_sheet, name="dues_sheet"),
    path("dues/record/", dues_views.dues_month_record, name="dues_month_record"),
    path("dues/charges/<int:pk>/paid/", dues_views.dues_charge_paid, name="dues_charge_paid"),
    path("dues/rules/", dues_views.dues_rules, name="dues_rules"),
    path("dues/rules/new/", dues_views.dues_rule_new, name="dues_rule_new"),
    path("kpis/", kpis_views.kpi_overview, name="kpi_overview"),
    path("kpis/people/", kpis_views.kpi_people, name="kpi_people"),
    # -- joining, card, family, corrections
    path("applications/", applications_views.application_list, name="application_list"),
    path("applications/<int:pk>/", applications_views.application_detail, name="application_detail"),
    path("applications/<int:pk>/review/", applications_views.application_review, name="application_review"),
    path("applications/<int:pk>/approve/", applications_views.application_approve, name="application_approve"),
    path("applications/<int:pk>/reject/", applications_views.application_reject, name="application_reject"),
    path("corrections/", corrections_views.correction_list, name="correction_list"),
    path("corrections/<int:pk>/", corrections_views.correction_detail, name="correction_detail"),
    path("card/verify/", portal_views.card_verify, name="card_verify"),
    path("me/apply/", portal_views.my_apply, name="my_apply"),
    path("me/application/", portal_views.my_application, name="my_application"),
    path("me/application/cancel/", portal_views.my_application_cancel, name="my_application_cancel"),
    path("me/card/", portal_views.my_card, name="my_card"),
    path("me/family/", portal_views.my_family, name="my_family"),
    path("me/family/add/", portal_views.my_family_add, name="my_family_add"),
    path("me/family/<int:pk>/", portal_views.my_family_edit, name="my_family_edit"),
    path("me/family/<int:pk>/remove/", portal_views.my_family_remove, name="my_family_remove"),
    path("me/corrections/", portal_views.my_corrections, name="my_corrections"),
]
