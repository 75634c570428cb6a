"""The exercises pages, mounted at /exercises/."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "exercises"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.scenario_list, name="list"),
    path("scenarios/new/", views.scenario_create, name="scenario_create"),
    path("scenarios/<int:scenario_id>/", views.scenario_detail, name="scenario"),
    path("scenarios/<int:scenario_id>/import/", views.scenario_import, name="scenario_import"),
    path("scenarios/<int:scenario_id>/runs/", views.run_create, name="run_create"),
    path("scenarios/<int:scenario_id>/copy/", views.scenario_copy, name="scenario_copy"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/timeline/", views.run_timeline, name="run_timeline"),
    path("runs/<int:run_id>/scores/", views.run_score, name="run_score"),
    path("runs/<int:run_id>/feedback/", views.run_feedback, name="run_feedback"),
    path(
        "runs/<int:run_id>/report.<str:fmt>",
        views.run_report,
        name="run_report",
    ),
    path(
        "runs/<int:run_id>/injects/<int:item_id>/<str:action>/",
        views.run_inject_action,
        name="run_inject_action",
    ),
    path("runs/<int:run_id>/<str:action>/", views.run_action, name="run_action"),
]
