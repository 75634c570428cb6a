"""Hotline pages, mounted at /hotline/. transports.py links e-mails to ``message_detail`` and
``check_confirm``: keep those names and paths."""

from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("compose/", views.compose, name="compose"),
    path("compose/template/", views.compose_template, name="compose_template"),
    path("messages/<int:message_id>/", views.message_detail, name="message_detail"),
    path("messages/<int:message_id>/status/", views.message_status, name="message_status"),
    path(
        "messages/<int:message_id>/acknowledge/",
        views.message_acknowledge,
        name="message_acknowledge",
    ),
    path("messages/<int:message_id>/reply/", views.message_reply, name="message_reply"),
    path(
        "messages/<int:message_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/<int:channel_id>/", views.channel_detail, name="channel_detail"),
    path("channels/<int:channel_id>/record.json", views.channel_record, name="channel_record"),
    path("channels/<int:channel_id>/verify/", views.channel_verify, name="channel_verify"),
    path("public-key.pem", views.public_key, name="public_key"),
    path("checks/", views.check_list, name="check_list"),
    path("checks/start/", views.check_start, name="check_start"),
    path("checks/<int:check_id>/", views.check_detail, name="check_detail"),
    path("checks/<int:check_id>/answer/", views.check_answer, name="check_answer"),
    path("checks/<int:check_id>/export.csv", views.check_export, name="check_export"),
    path("checks/confirm/<str:token>/", views.check_confirm, name="check_confirm"),
]
