from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "cbmhub.hotline"
    label = "hotline"
    verbose_name = "Hotline"

    def home_panel(self, request):
        """What waits for the user in the hotline, as HTML for the home page. The home page
        (core) asks every app for this by name, so core imports no domain app."""
        # Imported on call: apps.py loads before the models, which the views import.
        from .views import home_panel  # noqa: PLC0415

        return home_panel(request)
