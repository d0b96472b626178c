from django.urls import path

from .views import applications as applications_views
from .views import corrections as corrections_views
from .views import dues as dues_views
from .views import kpis as kpis_views
from .views import membership as membership_views
from .views import people as people_views
from .views import personal_data as personal_data_views
from .views import portal as portal_views

app_name = "members"

# Mounted at the site root: the officers' pages live in the console (/console/members/…), the member's
# own pages in the portal (/m/me/…, inside the installed app's scope).

urlpatterns = [
    path("console/members/", people_views.person_list, name="person_list"),
    path("console/members/<int:pk>/", people_views.person_detail, name="person_detail"),
    path("console/members/<int:pk>/reveal-id/", people_views.person_reveal_id, name="person_reveal_id"),
    # -- membership lifecycle (officers)
    path(
        "console/members/<int:pk>/membership/<str:action>/",
        membership_views.membership_action,
        name="membership_action",
    ),
    path("console/members/<int:pk>/left/", membership_views.person_left, name="person_left"),
    path(
        "console/members/transfers/<int:pk>/",
        membership_views.transfer_certificate,
        name="transfer_certificate",
    ),
    path("console/members/bulk/", membership_views.roster_bulk, name="roster_bulk"),
    path("console/members/pending/", membership_views.pending_list, name="pending_list"),
    path("console/members/ceremonies/", membership_views.ceremony_list, name="ceremony_list"),
    path("console/members/ceremonies/new/", membership_views.ceremony_new, name="ceremony_new"),
    path("console/members/ceremonies/<int:pk>/", membership_views.ceremony_detail, name="ceremony_detail"),
    path("console/members/retirees/", membership_views.retiree_list, name="retiree_list"),
    path("console/members/lapses/", membership_views.lapse_list, name="lapse_list"),
    path("console/members/lapses/<int:pk>/", membership_views.lapse_decide, name="lapse_decide"),
    # -- dues and KPIs
    path("console/members/dues/", dues_views.dues_sheet, name="dues_sheet"),
    path("console/members/dues/record/", dues_views.dues_month_record, name="dues_month_record"),
    path("console/members/dues/charges/<int:pk>/paid/", dues_views.dues_charge_paid, name="dues_charge_paid"),
    path("console/members/dues/rules/", dues_views.dues_rules, name="dues_rules"),
    path("console/members/dues/rules/new/", dues_views.dues_rule_new, name="dues_rule_new"),
    path("console/members/kpis/", kpis_views.kpi_overview, name="kpi_overview"),
    path("console/members/kpis/people/", kpis_views.kpi_people, name="kpi_people"),
    # -- joining, card, family, corrections
    path("console/members/applications/", applications_views.application_list, name="application_list"),
    path(
        "console/members/applications/<int:pk>/",
        applications_views.application_detail,
        name="application_detail",
    ),
    path(
        "console/members/applications/<int:pk>/review/",
        applications_views.application_review,
        name="application_review",
    ),
    path(
        "console/members/applications/<int:pk>/approve/",
        applications_views.application_approve,
        name="application_approve",
    ),
    path(
        "console/members/applications/<int:pk>/reject/",
        applications_views.application_reject,
        name="application_reject",
    ),
    path("console/members/corrections/", corrections_views.correction_list, name="correction_list"),
    path(
        "console/members/corrections/<int:pk>/", corrections_views.correction_detail, name="correction_detail"
    ),
    path("console/members/card/verify/", portal_views.card_verify, name="card_verify"),
    path("m/me/apply/", portal_views.my_apply, name="my_apply"),
    path("m/me/application/", portal_views.my_application, name="my_application"),
    path("m/me/application/cancel/", portal_views.my_application_cancel, name="my_application_cancel"),
    path("m/me/card/", portal_views.my_card, name="my_card"),
    path("m/me/services/", portal_views.my_service_records, name="my_service_records"),
    path("m/me/family/", portal_views.my_family, name="my_family"),
    path("m/me/family/add/", portal_views.my_family_add, name="my_family_add"),
    path("m/me/family/<int:pk>/", portal_views.my_family_edit, name="my_family_edit"),
    path("m/me/family/<int:pk>/remove/", portal_views.my_family_remove, name="my_family_remove"),
    path("m/me/corrections/", portal_views.my_corrections, name="my_corrections"),
    path("m/me/data/", personal_data_views.my_data, name="my_data"),
    path("m/me/data/download/", personal_data_views.my_data_download, name="my_data_download"),
]
