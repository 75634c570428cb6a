from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "cbmhub.hotline"
    label = "hotline"
    verbose_name = "Hotline"

    def home_panel(self, request):
        """What waits for the user in the hotline, as HTML for the home page. The home page
        (core) asks every app for this by name, so core imports no domain app."""
        from .views import home_panel

        return home_panel(request)
