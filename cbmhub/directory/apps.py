from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "cbmhub.directory"
    label = "directory"
    verbose_name = "Directory"
