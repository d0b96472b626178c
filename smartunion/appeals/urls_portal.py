"""Appeals pages: portal part (see urls.py) — 我的诉求, a new appeal with the router's suggestion, one
appeal's progress, rating, withdrawal and attachments, and the published 常见问题, under m/appeals/."""

from django.urls import URLPattern, path

from .views import portal

urlpatterns: list[URLPattern] = [
    path("m/appeals/", portal.portal_list, name="portal_list"),
    path("m/appeals/new/", portal.portal_new, name="portal_new"),
    path("m/appeals/suggest/", portal.portal_suggest, name="portal_suggest"),
    path("m/appeals/faq/", portal.faq_list, name="faq_list"),
    path("m/appeals/faq/<int:pk>/", portal.faq_detail, name="faq_detail"),
    path("m/appeals/<int:pk>/", portal.portal_detail, name="portal_detail"),
    path("m/appeals/<int:pk>/rate/", portal.portal_rate, name="portal_rate"),
    path("m/appeals/<int:pk>/withdraw/", portal.portal_withdraw, name="portal_withdraw"),
    path(
        "m/appeals/<int:pk>/attachments/<int:attachment_pk>/",
        portal.portal_attachment,
        name="portal_attachment",
    ),
]
