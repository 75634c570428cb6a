"""The TAXII 2.1 server's URLs, mounted at /taxii2/ (one API root, ``api``)."""

from django.urls import URLPattern, path, re_path

from . import taxii

app_name = "taxii"
urlpatterns: list[URLPattern] = [
    path("", taxii.discovery, name="discovery"),
    path("api/", taxii.api_root, name="api-root"),
    path("api/collections/", taxii.collections, name="collections"),
    path("api/collections/<str:collection_id>/", taxii.collection, name="collection"),
    path("api/collections/<str:collection_id>/objects/", taxii.objects, name="objects"),
    path("api/collections/<str:collection_id>/manifest/", taxii.manifest, name="manifest"),
    path(
        "api/collections/<str:collection_id>/objects/<str:object_id>/",
        taxii.object_detail,
        name="object",
    ),
    path(
        "api/collections/<str:collection_id>/objects/<str:object_id>/versions/",
        taxii.object_versions,
        name="versions",
    ),
    # taxii2-client asks for the status without the final slash.
    re_path(r"^api/status/(?P<status_id>[^/]+)/?$", taxii.status, name="status"),
]
