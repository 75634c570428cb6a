from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "cbmhub.measures"
    label = "measures"
    verbose_name = "Measures"
