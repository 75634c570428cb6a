from django.apps import AppConfig


class NegotiationsConfig(AppConfig):
    name = "cbmhub.negotiations"
    label = "negotiations"
    verbose_name = "Negotiations"
