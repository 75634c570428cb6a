"""The one pagination of every paginated API list: limit/offset, strictly read.

DRF's ``LimitOffsetPagination`` falls back to its defaults on anything it cannot read
(``offset=null``, ``limit=abc``) and passes any size on to the database (``limit=10**22``:
SQLite "datatype mismatch", a 500). Here a limit or offset that is not a plain decimal
integer within its documented range is a 400 naming the parameter, and the schema states
the same ranges.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 1000
# Far beyond any list here, and within every database's integer range.
MAX_OFFSET = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def _bounded_int(
    request: Request, name: str, *, default: int | None, minimum: int, maximum: int
) -> int | None:
    """The parameter ``name`` as an int within its bounds, ``default`` when absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = int(raw) if _DIGITS.fullmatch(raw) else None
    if value is None or not minimum <= value <= maximum:
        raise exceptions.ValidationError(
            {
                name: [
                    _("Must be a whole number from %(minimum)d to %(maximum)d.")
                    % {"minimum": minimum, "maximum": maximum}
                ]
            }
        )
    return value


class StrictLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int | None:
        return _bounded_int(
            request,
            self.limit_query_param,
            default=self.default_limit,
            minimum=1,
            maximum=self.max_limit,
        )

    def get_offset(self, request: Request) -> int:
        offset = _bounded_int(
            request, self.offset_query_param, default=0, minimum=0, maximum=MAX_OFFSET
        )
        return offset or 0

    def get_schema_operation_parameters(self, view) -> list[dict]:
        bounds = {
            self.limit_query_param: {
                "minimum": 1,
                "maximum": self.max_limit,
                "default": self.default_limit,
            },
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
