"""Extension points for apps the exercises app must not import (the exchange is built beside it).

An app registers, from its ``AppConfig.ready()``:

- ``register_inject_sender("exchange", send)``: ``send(*, run_inject, states, now)`` shares the
  inject's STIX incident or indicators with `states` (as the exercise's sending state) and
  returns nothing; it raises ``cbmhub.core.errors.DomainError`` to refuse. Until one is
  registered, an inject of kind "exchange" is refused when the scenario is written and marked
  failed if a run meets one.
- ``register_expectation_check("share_indicators", check)``: ``check(*, run_inject, state,
  within) -> bool | None`` says from the app's own records whether `state` did it in time
  (None: the records cannot tell; an evaluator judges). Without one, an evaluator judges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

InjectSender = Callable[..., None]
ExpectationCheck = Callable[..., "bool | None"]

_senders: dict[str, InjectSender] = {}
_checks: dict[str, ExpectationCheck] = {}


def register_inject_sender(kind: str, send: InjectSender) -> None:
    _senders[kind] = send


def register_expectation_check(kind: str, check: ExpectationCheck) -> None:
    _checks[kind] = check


def inject_sender(kind: str) -> InjectSender | None:
    return _senders.get(kind)


def expectation_check(kind: str) -> ExpectationCheck | None:
    return _checks.get(kind)


def unregister(kind: str) -> None:
    """Remove both registrations of `kind` (tests)."""
    _senders.pop(kind, None)
    _checks.pop(kind, None)


def registered() -> dict[str, Any]:
    return {"senders": sorted(_senders), "checks": sorted(_checks)}
