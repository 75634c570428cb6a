"""Who may see and do what in exercises: the rules, in one place.

- The **control cell** runs a scenario and sees its whole plan: the organisation's secretariat
  (control cell "secretariat") or the lead state's focal points (control cell "lead state"),
  members named with the role "control", and operators.
- **Evaluators** (named members) see the plan, the runs, the results and the report, and score.
- **Observers** (named members) follow the runs' timelines and read the report; no plan text.
- **Players** are the points of contact of the participating states (not the lead state): they
  see the runs of their scenarios and the injects sent to their own state, never the plan.
- Anyone else — another state, another organisation's secretariat, the organisation's
  secretariat when a lead state controls, an outsider — sees nothing (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cbmhub.core import roles

from .choices import ControlCell, MemberRole
from .models import Scenario


def may_use(user: Any) -> bool:
    """Who is shown the Exercises link: operators, secretariat officers, states' users (control
    cells and players) and anyone named in a scenario (evaluators, observers). What each sees
    in it is decided per scenario below."""
    if not roles.is_signed_in(user):
        return False
    if roles.is_operator(user) or roles.is_secretariat(user) or roles.state_id_of(user):
        return True
    return Scenario.objects.filter(members__user_id=user.pk).exists()


def _member_role(user: Any, scenario: Scenario) -> str | None:
    if not roles.is_signed_in(user):
        return None
    member = next((m for m in scenario.members.all() if m.user_id == user.pk), None)
    return member.role if member is not None else None


def is_control(user: Any, scenario: Scenario) -> bool:
    """The control cell of `scenario` (see the module docstring); SYSTEM runs it too."""
    if roles.is_system(user) or roles.is_operator(user):
        return True
    if scenario.control_cell == ControlCell.SECRETARIAT and roles.is_secretariat(
        user, scenario.organisation_id
    ):
        return True
    if scenario.control_cell == ControlCell.LEAD_STATE and roles.is_focal_point(
        user, scenario.sender_state_id
    ):
        return True
    return _member_role(user, scenario) == MemberRole.CONTROL


def is_evaluator(user: Any, scenario: Scenario) -> bool:
    return _member_role(user, scenario) == MemberRole.EVALUATOR


def is_observer(user: Any, scenario: Scenario) -> bool:
    return _member_role(user, scenario) == MemberRole.OBSERVER


def player_state_ids(scenario: Scenario) -> set[int]:
    """The states that play: the participating states but the lead (sending) state."""
    return {s.pk for s in scenario.states.all()} - {scenario.sender_state_id}


def is_player(user: Any, scenario: Scenario) -> bool:
    state_id = roles.state_id_of(user)
    return state_id is not None and state_id in player_state_ids(scenario)


def sees_plan(user: Any, scenario: Scenario) -> bool:
    """The injects' texts, recipients, dependencies and expectations before they are sent."""
    return is_control(user, scenario) or is_evaluator(user, scenario)


def sees_results(user: Any, scenario: Scenario) -> bool:
    """Every state's timeline, the figures and the after-action report."""
    return sees_plan(user, scenario) or is_observer(user, scenario)


def may_score(user: Any, scenario: Scenario) -> bool:
    return is_evaluator(user, scenario) or (is_control(user, scenario) and roles.is_signed_in(user))


def may_see(user: Any, scenario: Scenario) -> bool:
    return sees_results(user, scenario) or is_player(user, scenario)


def may_create_scenario(user: Any, *, organisation_id: int, sender_state_id: int) -> bool:
    """The organisation's secretariat, a focal point of the lead state, an operator."""
    return (
        roles.is_operator(user)
        or roles.is_secretariat(user, organisation_id)
        or roles.is_focal_point(user, sender_state_id)
    )


def visible_scenario_filter(user: Any) -> Q:
    """The scenarios `user` may see, as a filter over Scenario (one rule with ``may_see``)."""
    if roles.is_operator(user):
        return Q()
    if not roles.is_signed_in(user):
        return Q(pk__in=[])
    rule = Q(members__user=user)
    org_id = roles.organisation_id_of(user)
    if org_id:
        rule |= Q(control_cell=ControlCell.SECRETARIAT, organisation_id=org_id)
    state_id = roles.state_id_of(user)
    if state_id:
        rule |= Q(states__id=state_id) & ~Q(sender_state_id=state_id)
        if roles.is_focal_point(user, state_id):
            rule |= Q(control_cell=ControlCell.LEAD_STATE, sender_state_id=state_id)
    return rule
