"""The exchange pages, mounted at /exchange/."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "exchange"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.object_list, name="list"),
    path("objects/<int:pk>/", views.object_detail, name="object"),
    path("objects/<int:pk>/notify/", views.hotline_notify, name="notify"),
    path("report/", views.incident_report, name="report"),
    path("import/", views.bundle_import, name="import"),
    path("export/", views.export, name="export"),
    path("arrangements/", views.arrangement_list, name="arrangements"),
]
