"""AI pages under ``console/ai/``: the routers' model versions and the recommendations' take-up."""

from . import urls_models, urls_recommendations

app_name = "ai"

urlpatterns = [
    *urls_models.urlpatterns,
    *urls_recommendations.urlpatterns,
]
