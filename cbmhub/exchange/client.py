"""The TAXII 2.1 client: pull a remote collection into one of ours (``Subscription``).

Each page is fetched with ``added_after`` (where the last complete pull stopped) or ``next``
(the remote's cursor within a pull), stored through ``services.objects_add`` as ``SYSTEM``
(validated, TLP normalised, duplicates stored once), and then the position is saved: a pull
that crashes resumes at the page after the last one stored. A remote that no longer knows its
``next`` token is asked again from ``added_after``; the duplicates that brings are not stored
twice. Any error ends the pull with the subscription in the ``error`` state and the reason
kept until a pull works. Standard library HTTP only (no client dependency at run time).
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from cbmhub.core.roles import SYSTEM

from . import selectors, services
from .models import Subscription

log = logging.getLogger(__name__)
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
PAGE = 1000
MAX_PAGES = 1000  # a pull stops after this many pages and goes on at the next run
TIMEOUT = 60


class PullError(Exception):
    """A remote server's refusal or an unusable answer, said in one line."""


@dataclass
class Page:
    objects: list[Any]
    more: bool
    next: str
    last_added: str


def _objects_url(url: str) -> str:
    return url.rstrip("/") + "/objects/"


def fetch_page(subscription: Subscription, *, next_token: str = "") -> Page:
    params: dict[str, str] = {"limit": str(PAGE)}
    if next_token:
        params["next"] = next_token
    if subscription.added_after:
        params["added_after"] = subscription.added_after
    request = urllib.request.Request(
        _objects_url(subscription.url) + "?" + urllib.parse.urlencode(params),
        headers={"Accept": TAXII_MEDIA_TYPE},
    )
    if subscription.username or subscription.password:
        pair = f"{subscription.username}:{subscription.password}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(pair).decode())
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - an https/http URL the CERT gave
            body = response.read()
            last_added = response.headers.get("X-TAXII-Date-Added-Last", "")
    except urllib.error.HTTPError as error:
        raise PullError(f"HTTP {error.code} from {subscription.url}: {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise PullError(f"cannot reach {subscription.url}: {error}") from None
    try:
        envelope = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (ValueError, UnicodeError) as error:
        raise PullError(f"not JSON from {subscription.url}: {error}") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects", []), list):
        raise PullError(f"not a TAXII envelope from {subscription.url}")
    return Page(
        objects=envelope.get("objects", []),
        more=bool(envelope.get("more")),
        next=str(envelope.get("next") or ""),
        last_added=last_added,
    )


def pull(subscription: Subscription) -> int:
    """Pull until the remote has no more (or MAX_PAGES); the number of new objects stored."""
    stored = 0
    try:
        for _ in range(MAX_PAGES):
            page = _page_resuming(subscription)
            result = services.objects_add(
                actor=SYSTEM, collection=subscription.collection, objects=page.objects
            )
            stored += result.stored
            services.subscription_save_progress(
                actor=SYSTEM,
                subscription=subscription,
                added_after=page.last_added or subscription.added_after,
                next_token=page.next if page.more else "",
                pulled=result.stored,
            )
            if not page.more:
                break
    except PullError as error:
        services.subscription_finish(actor=SYSTEM, subscription=subscription, error=str(error))
        log.warning("subscription %s: %s", subscription.pk, error)
        return stored
    services.subscription_finish(actor=SYSTEM, subscription=subscription)
    return stored


def _page_resuming(subscription: Subscription) -> Page:
    if not subscription.next_token:
        return fetch_page(subscription)
    try:
        return fetch_page(subscription, next_token=subscription.next_token)
    except PullError:
        # The remote forgot its cursor (restarted, expired): start again from added_after.
        subscription.next_token = ""
        return fetch_page(subscription)


def pull_due() -> int:
    """One pass: every subscription that is due; the number of new objects stored. A
    subscription's failure (even an unexpected one) never stops the others."""
    stored = 0
    for subscription in selectors.due_subscriptions():
        try:
            stored += pull(subscription)
        except Exception as error:  # logged and kept on the subscription; the loop goes on
            log.exception("subscription %s failed", subscription.pk)
            services.subscription_finish(
                actor=SYSTEM, subscription=subscription, error=f"{type(error).__name__}: {error}"
            )
    return stored
