from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cbmhub.core"
    label = "core"
    verbose_name = "CBM Hub core"
