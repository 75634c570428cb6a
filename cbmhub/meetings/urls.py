"""The meetings pages, mounted at /meetings/."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "meetings"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/token/", views.feed_token, name="feed_token"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/status/", views.meeting_status, name="status"),
    path("<int:meeting_id>/agenda/", views.agenda_add, name="agenda_add"),
    path("agenda/<int:item_id>/move/", views.agenda_move, name="agenda_move"),
    path("agenda/<int:item_id>/outcome/", views.outcome_add, name="outcome_add"),
    path("<int:meeting_id>/delegation/", views.delegation_nominate, name="nominate"),
    path("delegations/<int:delegation_id>/accept/", views.delegation_accept, name="accept"),
    path("<int:meeting_id>/guests/", views.guest_add, name="guest_add"),
    path("<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("<int:meeting_id>/participants/", views.participants, name="participants"),
    path("<int:meeting_id>/minutes/", views.minutes_add, name="minutes_add"),
    path(
        "<int:meeting_id>/minutes/<int:version>/approve/",
        views.minutes_approve,
        name="minutes_approve",
    ),
    path("<int:meeting_id>/actions/", views.action_add, name="action_add"),
    path("<int:meeting_id>/actions/<int:point_id>/done/", views.action_done, name="action_done"),
    path("<int:meeting_id>/invitations/", views.invitations, name="invitations"),
    path("<int:meeting_id>/meeting.ics", views.meeting_ics_file, name="ics"),
    path("notes/", views.note_list, name="notes"),
    path("notes/new/", views.note_create, name="note_create"),
    path("notes/import/", views.package_import, name="package_import"),
    path("notes/formulas/", views.formulas, name="formulas"),
    path("notes/<int:note_id>/", views.note_detail, name="note"),
    path("notes/<int:note_id>/issue/", views.note_issue, name="note_issue"),
    path("notes/<int:note_id>/circulate/", views.note_circulate, name="note_circulate"),
    path("notes/<int:note_id>/versions/", views.note_version, name="note_version"),
    path("notes/<int:note_id>/enclosures/", views.note_enclosure, name="note_enclosure"),
    path("notes/<int:note_id>/<str:language>.<str:ext>", views.note_file, name="note_file"),
]
