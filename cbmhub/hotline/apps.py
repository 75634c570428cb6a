from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "cbmhub.hotline"
    label = "hotline"
    verbose_name = "Hotline"
