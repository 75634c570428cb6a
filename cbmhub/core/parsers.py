"""The API's JSON parser: DRF's, with the bounds of ``jsonbounds`` (nesting depth, number
length, no NaN). It is the default parser and the one every view that lists parsers names,
so no request body reaches Python's unbounded ``json.loads`` (see test_api_contract)."""

from __future__ import annotations

import codecs
import json
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from . import jsonbounds


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return jsonbounds.loads(text)
        except UnicodeDecodeError as exc:
            raise ParseError(f"The body is not {encoding} text: {exc}") from None
        except json.JSONDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
