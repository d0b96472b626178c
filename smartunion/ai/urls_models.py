"""AI pages: the routers' model versions (router helper)."""

from django.urls import URLPattern, path

from . import views_models

urlpatterns: list[URLPattern] = [
    path("console/ai/models/", views_models.model_list, name="model_list"),
    path("console/ai/models/<int:pk>/", views_models.model_detail, name="model_detail"),
    path("console/ai/models/retrain/<slug:router>/", views_models.model_retrain, name="model_retrain"),
]
