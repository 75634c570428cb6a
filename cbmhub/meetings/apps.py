from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "cbmhub.meetings"
    label = "meetings"
    verbose_name = "Meetings"
