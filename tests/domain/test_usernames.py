"""Usernames (issue 16, D12): the probe's seven look-alikes reduce to one account."""

from __future__ import annotations

import pytest

from app.domain.usernames import normalise_username, username_key, username_problem

PROBE = ["lan", "Lan", "l\u0430n", "l\u00e1n", "la\u0301n", "lan\u200b", "\u202enal"]


def test_the_probe_s_seven_accounts_are_one() -> None:
    kept: dict[str, str] = {}
    for raw in PROBE:
        name = normalise_username(raw)
        if username_problem(name) is None:
            kept.setdefault(username_key(name), name)
    assert list(kept.values()) == ["lan"]


@pytest.mark.parametrize("name", ["lan.nt", "nguyen-van_a", "đặng.hùng", "ops@ubnd", "Hoa2026"])
def test_ordinary_names_pass(name: str) -> None:
    assert username_problem(normalise_username(name)) is None


@pytest.mark.parametrize(
    "name",
    ["", "a" * 101, "lan nt", "l\u0430n", "lan\u200b", "\u202enal", "ｌａｎ", "lan\x00", "lan\u00a0x", "ﬁ"],
)
def test_look_alikes_and_invisibles_are_refused(name: str) -> None:
    problem = username_problem(normalise_username(name))
    assert problem is not None and problem.vi and problem.en


def test_nfd_is_stored_as_nfc() -> None:
    assert normalise_username(" la\u0301n ") == "l\u00e1n"
    assert username_key("LÁN") == username_key("lan") == "lan"
    assert username_key("Đặng") == "dang"
