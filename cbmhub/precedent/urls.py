"""The precedent pages, mounted at /precedent/."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "precedent"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.search, name="search"),
    path("upload/", views.upload, name="upload"),
    path("paragraphs/<int:paragraph_id>/", views.paragraph, name="paragraph"),
    path("revisions/<int:revision_id>/", views.draft, name="draft"),
    path(
        "revisions/<int:revision_id>/paragraphs/<int:index>/",
        views.draft_paragraph,
        name="draft_paragraph",
    ),
]
