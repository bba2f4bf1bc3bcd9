"""Notices to the applicant: queued once per (event, channel) from the accepted events, sent by a real
SMTP client to a local aiosmtpd server and through the eSMS and Zalo ZNS adapters to local doubles of
their HTTP APIs (tools/notice_doubles.py); exactly once across retries, lost answers and restarts."""

from __future__ import annotations

import io
import socket
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update
from srvkit import A, Desk, World, new_id, statuses

from app.contract import DossierSnapshot
from app.domain.status import Action, Status
from server import cli
from server.models import Notice
from server.notices import outbox
from server.notices.providers import EsmsSender, Sender, SmtpSender, ZnsSender
from server.web.settings import set_public_url

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from notice_doubles import EsmsDouble, ZnsDouble  # noqa: E402

NOW = datetime(2026, 5, 4, 10, 0)


class Inbox:
    def __init__(self) -> None:
        self.mails: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd)
        self.mails.append(message_from_bytes(envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
def doubles() -> Iterator[tuple[EsmsDouble, ZnsDouble]]:
    with EsmsDouble() as esms, ZnsDouble() as zns:
        yield esms, zns


def senders(port: int, esms: EsmsDouble, zns: ZnsDouble) -> dict[str, Sender]:
    return {
        "email": SmtpSender("127.0.0.1", port, sender="motcua@bacgiang.example.vn", timeout=5),
        "sms": EsmsSender("key", "secret", "MOTCUA", url=esms.url, timeout=5),
        "zalo": ZnsSender("token", "123456", url=zns.url, timeout=5),
    }


def consenting(world: World, desk: Desk, notify: list[str]) -> DossierSnapshot:
    snap = world.snapshot(A)
    applicant = snap.applicant.model_copy(update={"email": "duc.nguyen@example.vn"})
    snap = snap.model_copy(update={"applicant": applicant, "notify": notify})
    DossierSnapshot.model_validate(snap.model_dump())  # still a valid snapshot
    assert statuses(desk.client.push([world.received(desk, snap)]).results) == ["accepted"]
    return snap


def supplement(world: World, desk: Desk, snap: DossierSnapshot) -> None:
    events = [
        world.transition(
            desk, snap.id, Action.START_PROCESSING, Status.IN_PROCESS, from_status=Status.RECEIVED
        ),
        world.transition(
            desk,
            snap.id,
            Action.REQUEST_SUPPLEMENT,
            Status.SUPPLEMENT_REQUESTED,
            from_status=Status.IN_PROCESS,
            reason="Thiếu bản sao giấy chứng sinh",
        ),
    ]
    assert statuses(desk.client.push(events).results) == ["accepted", "accepted"]


def test_each_event_and_channel_is_notified_exactly_once(
    world: World, smtp: tuple[Inbox, int], doubles: tuple[EsmsDouble, ZnsDouble]
) -> None:
    inbox, port = smtp
    esms, zns = doubles
    set_public_url(world.db, "http://127.0.0.1:8765")
    desk = world.desk(A)
    snap = consenting(world, desk, ["email", "sms", "zalo"])
    supplement(world, desk, snap)
    quiet = consenting(world, desk, [])  # no consent: no notice
    assert outbox.enqueue_new(world.db, NOW) == 6  # received + supplement, on three channels
    report = outbox.send_due(world.db, senders(port, esms, zns), NOW)
    assert (report.sent, report.retried, report.unknown) == (6, 0, 0)
    # Again (a retry, a restart): nothing is queued or sent twice.
    assert outbox.enqueue_new(world.db, NOW) == 0
    assert outbox.send_due(world.db, senders(port, esms, zns), NOW).sent == 0

    assert len(inbox.mails) == 2
    received, needs = inbox.mails
    assert received["To"] == "duc.nguyen@example.vn" and snap.code in received["Subject"]
    text = needs.get_payload(decode=True).decode("utf-8")
    assert "Thiếu bản sao giấy chứng sinh" in text
    assert f"http://127.0.0.1:8765/tra-cuu?ma={snap.code}&k=K7QM" in text
    assert len(esms.delivered) == 2
    sms = esms.delivered[1]
    assert (sms["Phone"], sms["SmsType"], sms["Brandname"]) == ("0912345678", "2", "MOTCUA")
    assert "Thieu ban sao giay chung sinh" in sms["Content"]  # without diacritics
    assert len(zns.delivered) == 2
    assert zns.delivered[0]["phone"] == "84912345678" and zns.delivered[0]["template_id"] == "123456"
    assert zns.delivered[1]["template_data"]["ma_ho_so"] == snap.code
    assert not outbox.states(world.db, quiet.code or "")
    shown = outbox.states(world.db, snap.code or "")
    assert [(n.kind, n.channel, n.state) for n in shown] == [
        (kind, channel, "sent") for kind in ("received", "supplement") for channel in ("email", "sms", "zalo")
    ]
    assert shown[0].recipient == "d***@example.vn" and shown[1].recipient == "*******678"
    out = io.StringIO()
    assert cli.main(["notices", snap.code or "", "--db", world.live.db_url], out=out) == 0
    assert out.getvalue().count(" sent ") == 6


def test_lost_answers_refusals_and_a_dead_sender(
    world: World, smtp: tuple[Inbox, int], doubles: tuple[EsmsDouble, ZnsDouble]
) -> None:
    inbox, port = smtp
    esms, zns = doubles
    desk = world.desk(A)
    snap = consenting(world, desk, ["email", "sms", "zalo"])
    assert outbox.enqueue_new(world.db, NOW) == 3
    esms.faults.append("drop")  # eSMS took it, the answer is lost: resent with the same RequestId
    zns.faults.append("drop")  # ZNS took it, the answer is lost: not resent (could duplicate)
    dead = SmtpSender("127.0.0.1", free_port(), timeout=2)  # nothing listens: refused, retried later
    first = outbox.send_due(world.db, {**senders(port, esms, zns), "email": dead}, NOW)
    assert (first.sent, first.retried, first.unknown) == (0, 2, 1)
    second = outbox.send_due(world.db, senders(port, esms, zns), NOW)
    assert (second.sent, second.retried) == (1, 0)  # the SMS now; the e-mail waits for its back-off
    later = outbox.send_due(world.db, senders(port, esms, zns), NOW + timedelta(minutes=2))
    assert later.sent == 1
    assert len(esms.requests) == 2 and len(esms.delivered) == 1  # two requests, one SMS
    assert esms.requests[0]["body"]["RequestId"] == esms.requests[1]["body"]["RequestId"]
    assert len(zns.requests) == 1 and len(inbox.mails) == 1
    by_channel = {n.channel: n for n in outbox.states(world.db, snap.code or "")}
    assert by_channel["zalo"].state == "unknown" and by_channel["email"].attempts == 2


def test_a_sender_that_died_mid_send(world: World, doubles: tuple[EsmsDouble, ZnsDouble]) -> None:
    esms, zns = doubles
    desk = world.desk(A)
    snap = consenting(world, desk, ["email", "sms"])
    outbox.enqueue_new(world.db, NOW)
    with world.db.write() as s:  # both claimed by a process that then died
        s.execute(update(Notice).values(state="sending", attempts=1, claimed_at=NOW - timedelta(hours=1)))
    report = outbox.send_due(world.db, {"sms": EsmsSender("key", "secret", "MOTCUA", url=esms.url)}, NOW)
    assert (report.sent, report.unknown) == (1, 1)
    by_channel = {n.channel: n.state for n in outbox.states(world.db, snap.code or "")}
    assert by_channel == {"email": "unknown", "sms": "sent"}


def test_refused_until_failed(world: World, doubles: tuple[EsmsDouble, ZnsDouble]) -> None:
    esms, _zns = doubles
    desk = world.desk(A)
    snap = consenting(world, desk, ["sms"])
    outbox.enqueue_new(world.db, NOW)
    wrong = {"sms": EsmsSender("key", "wrong-secret", "MOTCUA", url=esms.url)}
    at = NOW
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.send_due(world.db, wrong, at)
        at += timedelta(hours=2)
    (state,) = outbox.states(world.db, snap.code or "")
    assert (state.state, state.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert "101" in state.last_error and not esms.delivered


def test_unconfigured_channels_wait(world: World) -> None:
    desk = world.desk(A)
    consenting(world, desk, ["zalo"])
    outbox.enqueue_new(world.db, NOW)
    assert outbox.send_due(world.db, {}, NOW).skipped == 1


def test_the_contract_refuses_an_unknown_channel() -> None:
    with pytest.raises(ValueError):
        DossierSnapshot.model_validate({**_minimal(), "notify": ["fax"]})


def _minimal() -> dict[str, Any]:
    return {
        "id": new_id(),
        "procedure_code": "x",
        "procedure_name": "x",
        "applicant": {"id": new_id(), "full_name": "A"},
        "receiving_agency_eid": A,
        "receiving_agency": "x",
        "competent_agency": "x",
        "handling_agency": "x",
        "scenario": "a",
        "received_at": "2026-05-04T08:00:00",
        "status": "received",
    }
