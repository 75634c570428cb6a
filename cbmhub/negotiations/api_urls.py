"""The negotiations API, mounted at /api/v1/negotiations/ (URL names in the "api" namespace)."""

from django.urls import path

from . import api, api_documents

urlpatterns = [
    path("documents/", api.DocumentListView.as_view(), name="negotiations-document-list"),
    path(
        "documents/<int:document_id>/",
        api.DocumentDetailView.as_view(),
        name="negotiations-document",
    ),
    path(
        "documents/<int:document_id>/revisions/",
        api.RevisionListView.as_view(),
        name="negotiations-revision-list",
    ),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/",
        api.RevisionDetailView.as_view(),
        name="negotiations-revision",
    ),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/analysis/",
        api.RevisionAnalysisView.as_view(),
        name="negotiations-revision-analysis",
    ),
    path(
        "documents/<int:document_id>/compare/",
        api.CompareView.as_view(),
        name="negotiations-compare",
    ),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/export/<str:fmt>/",
        api_documents.RevisionExportView.as_view(),
        name="negotiations-revision-export",
    ),
    path(
        "documents/<int:document_id>/compare/export/<str:fmt>/",
        api_documents.CompareExportView.as_view(),
        name="negotiations-compare-export",
    ),
]
