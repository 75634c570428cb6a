"""The meetings API, mounted at /api/v1/meetings/ (URL names in the "api" namespace)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("meetings", api.MeetingViewSet, basename="meetings-meeting")
router.register("notes", api.NoteViewSet, basename="meetings-note")

urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/<int:meeting_id>/agenda/", api.AgendaAddView.as_view(), name="meetings-agenda"),
    path("meetings/<int:meeting_id>/status/", api.StatusView.as_view(), name="meetings-status"),
    path(
        "meetings/<int:meeting_id>/delegations/<str:iso3>/",
        api.NominateView.as_view(),
        name="meetings-nominate",
    ),
    path(
        "delegations/<int:delegation_id>/accept/",
        api.AcceptView.as_view(),
        name="meetings-accept",
    ),
    path("agenda/<int:item_id>/outcomes/", api.OutcomeAddView.as_view(), name="meetings-outcome"),
    path("notes/<int:note_id>/issue/", api.NoteIssueView.as_view(), name="meetings-note-issue"),
    path(
        "notes/<int:note_id>/circulate/",
        api.NoteCirculateView.as_view(),
        name="meetings-note-circulate",
    ),
    path(
        "documents/<int:document_id>/stage/",
        api.DocumentStageView.as_view(),
        name="meetings-document-stage",
    ),
    *router.urls,
]
