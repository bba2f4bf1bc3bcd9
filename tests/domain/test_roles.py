"""Who may carry a due date (app.domain.roles.may_carry_due): the supplement received and the apology
(issue 16), and the acceptance of an online dossier that has no due date yet (issue 20)."""

from __future__ import annotations

from app.domain.roles import CHANGES_DUE, may_carry_due
from app.domain.status import TRANSITIONS, Action, Status


def test_only_supplement_apology_and_online_acceptance_carry_a_due_date() -> None:
    carrying = {
        (status, action)
        for status, action in TRANSITIONS
        if may_carry_due(status, action, has_due=status is not Status.NEW)
    }
    assert {a for _, a in carrying} == CHANGES_DUE | {Action.RECEIVE}
    assert (Status.NEW, Action.RECEIVE) in carrying
    assert all(a in CHANGES_DUE for s, a in carrying if s is not Status.NEW)


def test_the_acceptance_gives_only_a_first_due_date() -> None:
    assert may_carry_due(Status.NEW, Action.RECEIVE, has_due=False)
    assert may_carry_due("new", "receive", has_due=False)
    assert not may_carry_due(Status.NEW, Action.RECEIVE, has_due=True)  # it may not move an existing one
    assert not may_carry_due(None, Action.RECEIVE, has_due=False)  # a counter receipt is a received event
    assert not may_carry_due(Status.RECEIVED, Action.START_PROCESSING, has_due=False)
    assert may_carry_due(Status.IN_PROCESS, Action.APOLOGISE, has_due=True)
    assert not may_carry_due("nonsense", Action.APOLOGISE, has_due=True)
    assert not may_carry_due(Status.RECEIVED, "nonsense", has_due=True)
