from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "cbmhub.exchange"
    label = "exchange"
    verbose_name = "Exchange"

    def message_panel(self, request, message):
        """The shared objects a hotline message references, as HTML for the message page. The
        hotline asks every app config for this by name, so it imports no exchange code."""
        # Imported on call: apps.py loads before the models, which the views import.
        from .views import message_panel  # noqa: PLC0415

        return message_panel(request, message)
