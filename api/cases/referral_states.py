"""The referral state machine (FHIR Task status; HL7 BSeR business statuses as a reference).

    action         from                                   to          by
    send           draft                                  requested   sender side
    receive        requested                              received    specialist (also on first read)
    accept         received                               accepted    specialist
    reject         received                               rejected    specialist, with a reason
    request_info   received                               received    specialist; business status info_requested
    provide_info   received (info_requested)              received    sender side; business status info_provided
    schedule       accepted                               scheduled   specialist
    complete       accepted, scheduled                    completed   specialist, by delivering the opinion
    cancel         draft, requested, received,            cancelled   sender side
                   accepted, scheduled

rejected, completed and cancelled are terminal. The "sender side" is the patient and the
referring physicians of the case.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.errors import Conflict
from api.models import ReferralStatus as S

SENDER, RECIPIENT = "sender", "recipient"
INFO_REQUESTED, INFO_PROVIDED = "info_requested", "info_provided"
TERMINAL = frozenset({S.REJECTED, S.COMPLETED, S.CANCELLED})


@dataclass(frozen=True)
class Transition:
    """One row of the table: which statuses an action leaves, where it goes, who may do it."""

    action: str
    sources: frozenset[S]
    target: S
    side: str
    business_status: str | None = None  # the business status after the action (None clears it)
    needs_business_status: str | None = None
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("send", frozenset({S.DRAFT}), S.REQUESTED, SENDER),
        Transition("receive", frozenset({S.REQUESTED}), S.RECEIVED, RECIPIENT),
        Transition("accept", frozenset({S.RECEIVED}), S.ACCEPTED, RECIPIENT),
        Transition("reject", frozenset({S.RECEIVED}), S.REJECTED, RECIPIENT, needs_reason=True),
        Transition("request_info", frozenset({S.RECEIVED}), S.RECEIVED, RECIPIENT, business_status=INFO_REQUESTED),
        Transition(
            "provide_info",
            frozenset({S.RECEIVED}),
            S.RECEIVED,
            SENDER,
            business_status=INFO_PROVIDED,
            needs_business_status=INFO_REQUESTED,
        ),
        Transition("schedule", frozenset({S.ACCEPTED}), S.SCHEDULED, RECIPIENT),
        Transition("complete", frozenset({S.ACCEPTED, S.SCHEDULED}), S.COMPLETED, RECIPIENT),
        Transition("cancel", frozenset(S) - TERMINAL, S.CANCELLED, SENDER),
    )
}
# Completing happens only by delivering the opinion, so the transitions endpoint does not offer it.
CLIENT_ACTIONS = tuple(action for action in TRANSITIONS if action != "complete")


class InvalidTransition(Conflict):
    """The action does not apply to the referral's current status (409)."""

    def __init__(self, transition: Transition, current: S, business_status: str | None) -> None:
        sources = ", ".join(sorted(s.value for s in transition.sources))
        if transition.needs_business_status and current in transition.sources:
            detail = f"it needs business status {transition.needs_business_status}, not {business_status or 'none'}"
        else:
            detail = f"it needs {sources}"
        super().__init__(
            f"Cannot {transition.action.replace('_', ' ')} this referral: current status is "
            f"{current.value}, requested status is {transition.target.value}; {detail}."
        )


def check(action: str, current: S, business_status: str | None) -> Transition:
    """The transition for `action` from `current`, or InvalidTransition."""
    transition = TRANSITIONS[action]
    if current not in transition.sources or (
        transition.needs_business_status and business_status != transition.needs_business_status
    ):
        raise InvalidTransition(transition, current, business_status)
    return transition
