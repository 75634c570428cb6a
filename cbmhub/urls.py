"""The URL map: each app mounts its pages and its API under its own prefix."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cbmhub.core.api import not_found

api_patterns: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include("cbmhub.accounts.api_urls")),
    path("directory/", include("cbmhub.directory.api_urls")),
    path("hotline/", include("cbmhub.hotline.api_urls")),
    path("negotiations/", include("cbmhub.negotiations.api_urls")),
    path("exchange/", include("cbmhub.exchange.api_urls")),
    path("precedent/", include("cbmhub.precedent.api_urls")),
    path("measures/", include("cbmhub.measures.api_urls")),
    path("meetings/", include("cbmhub.meetings.api_urls")),
    path("exercises/", include("cbmhub.exercises.api_urls")),
    # Last: whatever else is asked under /api/v1/ gets the API's JSON 404, not the HTML page.
    re_path(r"", not_found, name="not-found"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", include((api_patterns, "api"))),
    path("taxii2/", include("cbmhub.exchange.taxii_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("cbmhub.core.urls")),
    path("accounts/", include("cbmhub.accounts.urls")),
    path("directory/", include("cbmhub.directory.urls")),
    path("hotline/", include("cbmhub.hotline.urls")),
    path("negotiations/", include("cbmhub.negotiations.urls")),
    path("exchange/", include("cbmhub.exchange.urls")),
    path("precedent/", include("cbmhub.precedent.urls")),
    path("measures/", include("cbmhub.measures.urls")),
    path("meetings/", include("cbmhub.meetings.urls")),
    path("exercises/", include("cbmhub.exercises.urls")),
]

admin.site.site_header = "CBM Hub administration"
admin.site.site_title = "CBM Hub"

if settings.DEBUG:  # pragma: no cover - development convenience only
    urlpatterns += i18n_patterns()
