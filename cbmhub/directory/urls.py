from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("history/", views.history, name="history"),
    path("export/", views.export, name="export"),
    path("import/", views.import_page, name="import"),
    # States: by ISO 3166-1 alpha-3 code.
    path("states/", views.state_list, name="states"),
    path("states/add/", views.state_edit, name="state_add"),
    path("states/<str:iso3>/", views.state_detail, name="state"),
    path("states/<str:iso3>/edit/", views.state_edit, name="state_edit"),
    path("states/<str:iso3>/history/", views.state_history, name="state_history"),
    path("states/<str:iso3>/aliases/add/", views.state_alias_add, name="state_alias_add"),
    path(
        "states/<str:iso3>/aliases/<int:pk>/remove/",
        views.state_alias_remove,
        name="state_alias_remove",
    ),
    path(
        "states/<str:iso3>/points-of-contact/add/",
        views.point_of_contact_create,
        name="poc_add",
    ),
    # Points of contact.
    path("points-of-contact/<int:pk>/", views.point_of_contact_detail, name="poc"),
    path("points-of-contact/<int:pk>/edit/", views.point_of_contact_edit, name="poc_edit"),
    path("points-of-contact/<int:pk>/delete/", views.point_of_contact_delete, name="poc_delete"),
    path("points-of-contact/<int:pk>/history/", views.point_of_contact_history, name="poc_history"),
    # Organisations: by acronym.
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<str:acronym>/", views.organisation_detail, name="organisation"),
    path("organisations/<str:acronym>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<str:acronym>/history/",
        views.organisation_history,
        name="organisation_history",
    ),
    path("organisations/<str:acronym>/bodies/add/", views.body_edit, name="body_add"),
    path("organisations/<str:acronym>/bodies/<int:pk>/edit/", views.body_edit, name="body_edit"),
    path(
        "organisations/<str:acronym>/bodies/<int:pk>/delete/",
        views.body_delete,
        name="body_delete",
    ),
    path(
        "organisations/<str:acronym>/memberships/add/", views.membership_edit, name="membership_add"
    ),
    path(
        "organisations/<str:acronym>/memberships/<int:pk>/edit/",
        views.membership_edit,
        name="membership_edit",
    ),
    path(
        "organisations/<str:acronym>/memberships/<int:pk>/delete/",
        views.membership_delete,
        name="membership_delete",
    ),
]
