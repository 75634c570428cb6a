"""The live API fuzzed against its own OpenAPI schema with Schemathesis (issue 8, item 17):
stateless (every operation, valid and invalid input) and stateful (chains of calls that use
the ids earlier responses returned), as a state user and as the secretariat. Any 5xx, any
response the schema does not describe (status, content type, body, headers) and any input
outside the schema that is accepted fails the test.

The server is pytest-django's live server (real HTTP). The budget is fixed and derandomised
so the run is the same every time and takes about a minute per database on two cores:
``MAX_EXAMPLES`` per operation and mode, ``STATEFUL_EXAMPLES`` scenarios of at most
``STATEFUL_STEPS`` calls, no shrinking.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import existing_records

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = 8
STATEFUL_EXAMPLES = 25
STATEFUL_STEPS = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
BUDGET = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,  # a live server on a shared 2-core machine: time is not the property
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failure is reported
    suppress_health_check=list(HealthCheck),
)


def session_headers(user) -> dict[str, str]:
    """Headers that sign in as `user` by session (with the CSRF pair unsafe methods need), so
    the run does not depend on how API tokens are stored."""
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    csrf = get_random_string(32)
    return {
        "Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}; "
        f"{django_settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }


def load_schema(live_server, user):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    schema.config.update(headers=session_headers(user), request_timeout=30)
    # The session is the credential: no generated Authorization header may replace it.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def run_stateless(schema, world: dict, answered: dict[str, set[int]]) -> list[str]:
    """Every operation, valid and invalid input; the failures, and in `answered` the status
    codes each operation gave (so a run that never got past the login cannot pass)."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        records = existing_records(operation.path, world)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # The comparison needs two revisions of the document to get past its lookup.
            query = (
                {"old": str(world["revision"].pk), "new": str(world["revision"].pk)}
                if operation.path.endswith(("/compare/", "/compare/export/{fmt}/"))
                and mode is GenerationMode.POSITIVE
                else None
            )

            @given(
                case=operation.as_strategy(
                    generation_mode=mode, path_parameters=records or None, query=query
                )
            )
            @BUDGET
            def test(case):
                response = case.call_and_validate(checks=CHECKS)
                answered.setdefault(case.operation.label, set()).add(response.status_code)

            try:
                test()
            except Unsatisfiable:
                # Nothing in this operation can be made invalid (no parameters, or only
                # free strings): there is no negative case to send.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # every operation runs; all reported
                failures.append(f"{mode.value} {operation.label}: {exc}")
    return failures


def run_stateful(schema) -> dict[str, set[int]]:
    """Scenarios chaining calls through the links Schemathesis infers (a list's ids into the
    detail, update and delete of each record); the status codes each operation gave."""
    answered: dict[str, set[int]] = {}

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]  # a class made at run time
        def after_call(self, response, case):
            answered.setdefault(case.operation.label, set()).add(response.status_code)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=hypothesis_settings(
            BUDGET, max_examples=STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS
        )
    )
    return answered


def assert_chained(answered: dict[str, set[int]]) -> None:
    """Some scenario reached a record by an id an earlier response gave."""
    chained = {
        label
        for label, codes in answered.items()
        if "{" in label and any(200 <= code < 300 for code in codes)
    }
    assert chained, answered


@pytest.fixture
def as_state_user(live_server, api_world, bob):
    return load_schema(live_server, bob)


@pytest.fixture
def as_secretariat(live_server, api_world, sam):
    return load_schema(live_server, sam)


def assert_reached(answered: dict[str, set[int]]) -> None:
    """The run was not vacuous: every read answered 200 at least once, as did most writes."""
    ok = {label for label, codes in answered.items() if any(200 <= c < 300 for c in codes)}
    print("\n".join(f"{label}: {sorted(codes)}" for label, codes in sorted(answered.items())))
    reads = {label for label in answered if label.startswith("GET ")}
    assert reads - ok == set()
    assert len(ok) >= 0.5 * len(answered), sorted(set(answered) - ok)


def test_stateless_as_a_state_user(as_state_user, api_world):
    answered: dict[str, set[int]] = {}
    failures = run_stateless(as_state_user, api_world, answered)
    assert not failures, "\n\n".join(failures)
    assert_reached(answered)


def test_stateless_as_the_secretariat(as_secretariat, api_world):
    answered: dict[str, set[int]] = {}
    failures = run_stateless(as_secretariat, api_world, answered)
    assert not failures, "\n\n".join(failures)
    assert_reached(answered)


def test_stateful_as_a_state_user(as_state_user):
    assert_chained(run_stateful(as_state_user))


def test_stateful_as_the_secretariat(as_secretariat):
    assert_chained(run_stateful(as_secretariat))
