from django.urls import path

from . import views

app_name = "negotiations"
urlpatterns = [
    path("", views.list, name="list"),
]
