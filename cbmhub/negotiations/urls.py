from django.urls import path

from . import views, views_documents

app_name = "negotiations"
urlpatterns = [
    path("", views.negotiation_list, name="list"),
    path("new/", views.negotiation_create, name="negotiation_create"),
    path("<int:negotiation_id>/documents/new/", views.document_create, name="document_create"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("documents/<int:document_id>/import/", views.revision_import, name="revision_import"),
    path("documents/<int:document_id>/compare/", views.compare, name="compare"),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/",
        views.revision,
        name="revision",
    ),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/<str:form>.txt",
        views.revision_text,
        name="revision_text",
    ),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/versions/",
        views.versions,
        name="versions",
    ),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/versions/<str:language>/",
        views.version,
        name="version",
    ),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/download/<str:fmt>/",
        views_documents.revision_download,
        name="revision_download",
    ),
    path(
        "documents/<int:document_id>/compare/download/<str:fmt>/",
        views_documents.compare_download,
        name="compare_download",
    ),
]
