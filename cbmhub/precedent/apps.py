from typing import Any

from django.apps import AppConfig


class PrecedentConfig(AppConfig):
    name = "cbmhub.precedent"
    label = "precedent"
    verbose_name = "Precedent"

    def revision_panel(self, request: Any, revision: Any) -> str:
        """HTML for a negotiations revision page: the way to "which of this draft is agreed
        language?" (negotiations asks every app config; it never imports this app)."""
        from . import views  # noqa: PLC0415 - views import models, not ready at app loading

        return views.revision_panel(request, revision)
