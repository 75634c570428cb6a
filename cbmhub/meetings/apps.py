from typing import Any

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "cbmhub.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def document_panel(self, request: Any, document: Any) -> str:
        """A negotiation document's path through bodies and its stage, as HTML for the
        document's page. The negotiations app asks every app config for this by name, so it
        never imports meetings."""
        from .views import document_panel  # noqa: PLC0415 - apps.py loads before the models

        return document_panel(request, document)
