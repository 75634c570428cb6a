"""The negotiations API, mounted at /api/v1/negotiations/ (URL names in the "api" namespace).

Documents and revisions are ViewSets (resources), bound here by hand rather than by a router so
that their URLs and URL names stay those the API has always had; the analysis and the comparison
are actions (APIView)."""

from django.urls import path

from . import api, api_documents

urlpatterns = [
    path(
        "documents/",
        api.DocumentViewSet.as_view({"get": "list"}),
        name="negotiations-document-list",
    ),
    path(
        "documents/<int:document_id>/",
        api.DocumentViewSet.as_view({"get": "retrieve"}),
        name="negotiations-document",
    ),
    path(
        "documents/<int:document_id>/revisions/",
        api.RevisionViewSet.as_view({"get": "list", "post": "create"}),
        name="negotiations-revision-list",
    ),
    path(
        "documents/<int:document_id>/revisions/<int:revision_id>/",
        api.RevisionViewSet.as_view({"get": "retrieve"}),
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
