from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "cbmhub.exercises"
    label = "exercises"
    verbose_name = "Exercises"
