"""The hotline API, mounted at /api/v1/hotline/ (URL names in the "api" namespace)."""

from django.urls import path

from . import api

urlpatterns = [
    path("messages/", api.MessageListView.as_view(), name="hotline-message-list"),
    path(
        "messages/<int:message_id>/", api.MessageDetailView.as_view(), name="hotline-message-detail"
    ),
    path(
        "messages/<int:message_id>/acknowledge/",
        api.MessageAcknowledgeView.as_view(),
        name="hotline-message-acknowledge",
    ),
    path(
        "messages/<int:message_id>/reply/",
        api.MessageReplyView.as_view(),
        name="hotline-message-reply",
    ),
    path("channels/", api.ChannelListView.as_view(), name="hotline-channel-list"),
    path(
        "channels/<int:channel_id>/head/",
        api.ChannelHeadView.as_view(),
        name="hotline-channel-head",
    ),
    path("checks/", api.CheckListView.as_view(), name="hotline-check-list"),
    path("checks/confirm/", api.CheckConfirmView.as_view(), name="hotline-check-confirm"),
    path("checks/<int:check_id>/", api.CheckDetailView.as_view(), name="hotline-check-detail"),
    path(
        "checks/<int:check_id>/answer/",
        api.CheckAnswerView.as_view(),
        name="hotline-check-answer",
    ),
]
