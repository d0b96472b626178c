from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/home/", views.home, name="home"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/cas/login/", views.cas_login, name="cas_login"),
    path("accounts/cas/callback/", views.cas_callback, name="cas_callback"),
    path("console/roles/", views.assignment_list, name="assignment_list"),
    path("console/roles/assign/", views.assignment_create, name="assignment_create"),
    path("console/roles/assignments/<int:pk>/revoke/", views.assignment_revoke, name="assignment_revoke"),
    path("console/roles/definitions/", views.role_list, name="role_list"),
    path("console/roles/definitions/<int:pk>/", views.role_edit, name="role_edit"),
    path("console/accounts/", views.user_list, name="user_list"),
    path("console/accounts/new/", views.user_create, name="user_create"),
    path("console/accounts/<int:pk>/", views.user_detail, name="user_detail"),
    path("console/accounts/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("console/accounts/<int:pk>/toggle-active/", views.user_toggle_active, name="user_toggle_active"),
]
