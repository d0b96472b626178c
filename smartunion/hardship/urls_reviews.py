"""Hardship pages: reviews, help plans, 低保, statistics (see urls.py)."""

from django.urls import path

from .views import dibao, reviews, stats

P = "console/hardship/"

urlpatterns: list = [
    path(f"{P}reviews/", reviews.review_list, name="review_list"),
    path(f"{P}reviews/start/", reviews.review_round_new, name="review_round_new"),
    path(f"{P}reviews/<int:pk>/", reviews.review_record, name="review_record"),
    path(f"{P}files/<int:pk>/exit/", reviews.file_exit, name="file_exit"),
    path(f"{P}files/<int:pk>/remove/", reviews.file_remove, name="file_remove"),
    path(f"{P}files/<int:pk>/measures/new/", reviews.measure_new, name="measure_new"),
    path(f"{P}measures/<int:pk>/", reviews.measure_edit, name="measure_edit"),
    path(f"{P}measures/<int:pk>/done/", reviews.measure_done, name="measure_done"),
    path(f"{P}measures/<int:pk>/cancel/", reviews.measure_cancel, name="measure_cancel"),
    path(f"{P}dibao/", dibao.dibao_list, name="dibao_list"),
    path(f"{P}dibao/new/", dibao.dibao_new, name="dibao_new"),
    path(f"{P}dibao/<int:pk>/", dibao.dibao_edit, name="dibao_edit"),
    path(f"{P}stats/", stats.stats, name="stats"),
]
