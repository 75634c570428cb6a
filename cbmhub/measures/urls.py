"""The measures pages, mounted at /measures/."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "measures"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("catalogues/new/", views.catalogue_create, name="catalogue_create"),
    path("catalogues/<str:code>/", views.catalogue, name="catalogue"),
    path("catalogues/<str:code>/import/", views.catalogue_import, name="catalogue_import"),
    path("catalogues/<str:code>/export.<str:fmt>", views.catalogue_export, name="catalogue_export"),
    path("plans/<str:pk>/", views.plan, name="plan"),
    path("plans/<str:pk>/report.<str:fmt>", views.plan_report, name="plan_report"),
    path("matrix/", views.matrix, name="matrix"),
    path("cycles/<str:pk>/", views.matrix_cycle, name="matrix_cycle"),
    path(
        "cycles/<str:pk>/publication.<str:fmt>",
        views.cycle_publication,
        name="cycle_publication",
    ),
    path("cycles/<str:cycle_pk>/file/", views.submission_edit, name="submission_edit"),
    path("cycles/<str:cycle_pk>/start/", views.cycle_start, name="cycle_start"),
    path("submissions/<str:pk>/", views.submission, name="submission"),
    path(
        "submissions/<str:pk>/acknowledge/",
        views.submission_acknowledge,
        name="submission_acknowledge",
    ),
    path("attachments/<str:pk>/", views.attachment, name="attachment"),
    path("states/<str:iso3>/", views.state_profile, name="state"),
    path("inventory/", views.inventory, name="inventory"),
    path("warning/", views.early_warning, name="warning"),
    path("alerts/<str:pk>/", views.alert_update, name="alert_update"),
]
