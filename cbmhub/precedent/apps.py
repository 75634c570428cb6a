from django.apps import AppConfig


class PrecedentConfig(AppConfig):
    name = "cbmhub.precedent"
    label = "precedent"
    verbose_name = "Precedent"
