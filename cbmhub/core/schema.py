"""The API's OpenAPI schema class: every operation lists the errors it can really answer.

The views declare their own responses; what every operation can answer whatever the view
says comes from the shared machinery, so it is added here once, in the one error format:

- 400: any request may carry an unknown query parameter (core/query_parameters.py), a bad
  limit/offset (core/pagination.py) or a body that is not JSON within bounds (core/parsers.py);
- 401 and 403: an operation that needs a login (no credentials; a refused user or CSRF);
- 404: an operation whose path names a record;
- 409: a removal of a record other records still point at (core/api.py);
- 415: an operation with a body sent in a media type it does not take.

A view that declares one of these keeps its own description.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

from .api import ErrorSerializer


class AutoSchema(SpectacularAutoSchema):
    def _shared_errors(self) -> dict[str, str]:
        errors = {"400": "Invalid request: a parameter, a query parameter or the body."}
        if self.get_auth():
            errors["401"] = "No credentials, or credentials that are not valid."
            errors["403"] = "Not allowed for this user."
        if "{" in self.path:
            errors["404"] = "Not found or not visible to you."
        if self.method == "DELETE":
            errors["409"] = "Still referred to by other records; nothing was removed."
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = "The body is in a media type this operation does not take."
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in self._shared_errors().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code
                )
        return responses
