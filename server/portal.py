"""The connector to the national public-service portal (docs/portal-contract.md).

**Tested against the project's simulator only** (tools/portal_sim.py): the real portal cannot be reached
from here and TT 04/2025's field list was not found.

How it works, in three steps, each on its own database sessions and short transactions, on its own thread
(:class:`PortalLoop`, started by ``motcua-server serve`` when a portal URL is configured), so that the
desks' push and pull never wait for the portal:

1. :func:`enqueue` reads the server's accepted events after its cursor (``events.id``, the server's arrival
   order), folds each touched dossier's events (``app.domain.portal.deliveries``) and stores one
   :class:`~server.models.PortalDelivery` per new event (unique by dossier code and event id) and the
   dossier's sync state, and moves the cursor, in one transaction.
2. :func:`push_once` sends, for each dossier, its lowest undelivered record (a dossier's records go in
   order), several dossiers at once, over HTTP *outside* any transaction, then records the outcomes in one
   short transaction: acknowledged (``accepted`` or ``duplicate``: the portal already had it, e.g. after a
   lost answer), refused (4xx: ``failed``, kept for a person, the dossier's later records wait) or
   unknown (network, timeout, 5xx, 408/429: retried with exponential back-off and jitter).
3. :func:`reconcile` compares, per centre and period, the dossiers known here with those the portal
   acknowledged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.contract import ApplicantInfo, DossierSnapshot, DossierState, Event, TransitionPayload
from app.domain.calendar import DayOverride, WorkingCalendar
from app.domain.canonical import canonical_json
from app.domain.errors import Problem
from app.domain.portal import (
    ACCEPTANCE_AFTER_SUPPLEMENT,
    acceptance_after_supplement,
    acceptance_deadline,
    awaiting_supplement,
    deliveries,
    parse_portal_time,
)
from app.domain.reconcile import LATE_AFTER, Difference, PortalAck, classify
from app.domain.status import Action, Status
from server.db import Database
from server.models import (
    CalendarDay,
    Centre,
    ChangeRow,
    Dossier,
    EventRow,
    PortalDelivery,
    PortalDossier,
    PortalSetting,
)
from server.portal_acks import acks_of
from server.sync import lock_change_feed

log = logging.getLogger(__name__)

URL_ENV = "MOTCUA_PORTAL_URL"
RECORDS_PATH = "/portal/v1/records"
ENQUEUE_BATCH = 500
#: Portal statuses an operator can read in ``portal status``.
STATE_PENDING, STATE_SENT, STATE_FAILED, STATE_SYNCED = "pending", "sent", "failed", "synced"


class PortalError(Exception):
    """A refusal the administrator can read (bad configuration, portal unreachable for a query)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.en)


@dataclass(frozen=True)
class PortalConfig:
    url: str = ""
    enabled: bool = True
    timeout: float = 10.0
    backoff_base: float = 2.0
    backoff_max: float = 300.0
    concurrency: int = 4
    interval: float = 1.0
    acceptance_hours: float = 8.0
    #: The acceptance clock after a supplement asked for before acceptance: "restart" or "resume"
    #: (app.domain.portal.ACCEPTANCE_AFTER_SUPPLEMENT: no source found, a province setting).
    acceptance_after_supplement: str = "restart"

    @property
    def active(self) -> bool:
        return bool(self.url) and self.enabled


_FIELDS = (
    "url",
    "enabled",
    "timeout",
    "backoff_base",
    "backoff_max",
    "concurrency",
    "interval",
    "acceptance_hours",
    "acceptance_after_supplement",
)


def load_config(db: Database) -> PortalConfig:
    """Settings from the database; ``$MOTCUA_PORTAL_URL`` gives the URL when none is stored."""
    with db.read() as s:
        stored = {k: v for k, v in s.execute(select(PortalSetting.key, PortalSetting.value)) if k in _FIELDS}
    kw: dict[str, Any] = {}
    for key, value in stored.items():
        default = getattr(PortalConfig, key)
        kw[key] = value == "1" if isinstance(default, bool) else type(default)(value)
    kw.setdefault("url", os.environ.get(URL_ENV, ""))
    return PortalConfig(**kw)


def configure(db: Database, **values: Any) -> PortalConfig:
    """Store settings (``url``, ``enabled``, ``timeout``…); checks them first."""
    for key, value in values.items():
        if key not in _FIELDS:
            raise PortalError(
                Problem("portal.setting", f"Không có thiết lập «{key}».", f"No setting {key!r}.")
            )
        if key == "url" and value and not str(value).startswith(("http://", "https://")):
            raise PortalError(
                Problem(
                    "portal.url",
                    f"Địa chỉ cổng «{value}» phải bắt đầu bằng http:// hoặc https://.",
                    f"The portal URL {value!r} must start with http:// or https://.",
                    "url",
                )
            )
        if key == "acceptance_after_supplement":
            if value not in ACCEPTANCE_AFTER_SUPPLEMENT:
                raise PortalError(
                    Problem(
                        "portal.setting",
                        f"«{value}» không hợp lệ: chỉ có restart (tính lại từ đầu) hoặc resume (tính tiếp).",
                        f"{value!r} is invalid: use restart (count again) or resume (continue).",
                        key,
                    )
                )
            continue
        if key != "url" and key != "enabled" and not float(value) > 0:
            raise PortalError(
                Problem("portal.setting", f"«{key}» phải lớn hơn 0.", f"{key!r} must be positive.", key)
            )
    with db.write() as s:
        for key, value in values.items():
            text = ("1" if value else "0") if isinstance(value, bool) else str(value).rstrip("/")
            row = s.get(PortalSetting, key)
            if row is None:
                s.add(PortalSetting(key=key, value=text))
            else:
                row.value = text
    return load_config(db)


def _cursor(s: Session) -> int:
    row = s.get(PortalSetting, "events_cursor")
    return int(row.value) if row is not None else 0


# --- 1. enqueue ----------------------------------------------------------------------------------------


def enqueue(db: Database, batch: int = ENQUEUE_BATCH) -> int:
    """Turn the server's new events into deliveries. Returns how many events were read (0: up to date)."""
    with db.write() as s:
        cursor = _cursor(s)
        rows = s.execute(
            select(EventRow.id, EventRow.dossier_id)
            .where(EventRow.id > cursor)
            .order_by(EventRow.id)
            .limit(batch)
        ).all()
        if not rows:
            return 0
        last = rows[-1][0]
        touched = sorted({r[1] for r in rows})
        events: dict[str, list[tuple[int, dict[str, Any], datetime]]] = defaultdict(list)
        for i in range(0, len(touched), 500):
            part = touched[i : i + 500]
            for rid, did, body, at in s.execute(
                select(EventRow.id, EventRow.dossier_id, EventRow.body, EventRow.received_at)
                .where(EventRow.dossier_id.in_(part), EventRow.id <= last)
                .order_by(EventRow.id)
            ):
                events[did].append((rid, body, at))
        dossiers = {d.id: d for d in s.scalars(select(Dossier).where(Dossier.id.in_(touched)))}
        states = {
            p.dossier_id: p
            for p in s.scalars(select(PortalDossier).where(PortalDossier.dossier_id.in_(touched)))
        }
        for did in touched:
            evs = events[did]
            out = deliveries([b for _, b, _ in evs])
            if not out:
                continue  # no dossier code: nothing the portal can key (docs/portal-contract.md)
            ids = {b["event_id"]: (rid, at) for rid, b, at in evs}
            for d in out:
                rid, at = ids[d.event_id]
                if rid <= cursor:
                    continue
                s.add(
                    PortalDelivery(
                        dossier_id=did,
                        code=d.code,
                        event_id=d.event_id,
                        seq=d.seq,
                        body=d.body,
                        state=STATE_PENDING,
                        attempts=0,
                        next_attempt_at=at,
                        last_error="",
                        event_at=at,
                    )
                )
            dossier = dossiers[did]
            st = states.get(did)
            if st is None:
                s.add(
                    PortalDossier(
                        dossier_id=did,
                        code=out[0].code,
                        receiving_eid=dossier.receiving_eid,
                        competent_eid=dossier.competent_eid,
                        state=STATE_PENDING,
                        events_total=len(out),
                        events_acked=0,
                        synced_at=None,
                    )
                )
            else:
                st.events_total = len(out)
                st.competent_eid = dossier.competent_eid
                if st.state == STATE_SYNCED:
                    st.state = STATE_PENDING
        row = s.get(PortalSetting, "events_cursor")
        if row is None:
            s.add(PortalSetting(key="events_cursor", value=str(last)))
        else:
            row.value = str(last)
        return len(rows)


# --- 2. push -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    kind: str  # "ack", "refused", "retry"
    detail: str = ""


def send(client: httpx.Client, url: str, body: dict[str, Any]) -> Outcome:
    try:
        r = client.post(url + RECORDS_PATH, json=body)
    except httpx.HTTPError as exc:
        return Outcome("retry", f"{type(exc).__name__}: {exc}"[:500])
    if r.status_code == 200:
        try:
            answer = r.json()
        except ValueError:
            return Outcome("retry", "answer is not JSON")
        if isinstance(answer, dict) and answer.get("KetQua") in ("accepted", "duplicate"):
            return Outcome("ack", answer["KetQua"])
        return Outcome("retry", "unexpected answer")
    text = r.text[:2000]
    if r.status_code in (408, 429) or r.status_code >= 500:
        return Outcome("retry", f"HTTP {r.status_code}")
    if r.status_code == 409 and "portal.order" in text:
        return Outcome("retry", f"HTTP 409 {text}")
    return Outcome("refused", f"HTTP {r.status_code} {text}")


@dataclass
class PushReport:
    acked: int = 0
    refused: int = 0
    retried: int = 0

    @property
    def attempted(self) -> int:
        return self.acked + self.refused + self.retried


def _due(s: Session, now: datetime, limit: int) -> list[PortalDelivery]:
    lowest = (
        select(PortalDelivery.dossier_id, func.min(PortalDelivery.seq).label("seq"))
        .where(PortalDelivery.state != STATE_SENT)
        .group_by(PortalDelivery.dossier_id)
        .subquery()
    )
    return list(
        s.scalars(
            select(PortalDelivery)
            .join(
                lowest,
                (lowest.c.dossier_id == PortalDelivery.dossier_id) & (lowest.c.seq == PortalDelivery.seq),
            )
            .where(PortalDelivery.state == STATE_PENDING, PortalDelivery.next_attempt_at <= now)
            .order_by(PortalDelivery.id)
            .limit(limit)
        )
    )


def backoff(cfg: PortalConfig, attempts: int, rng: random.Random) -> timedelta:
    """2, 4, 8 … ``backoff_max`` × base/2 seconds, each × random 0.5–1.5 (attempts from 1)."""
    seconds = min(cfg.backoff_max, cfg.backoff_base * 2 ** min(attempts - 1, 30))
    return timedelta(seconds=seconds * rng.uniform(0.5, 1.5))


def push_once(
    db: Database,
    client: httpx.Client,
    cfg: PortalConfig,
    *,
    now: Callable[[], datetime] = datetime.utcnow,
    limit: int = 200,
    rng: random.Random | None = None,
) -> PushReport:
    """One pass: the due deliveries (one per dossier), sent concurrently, outcomes stored."""
    rng = rng or random.Random()
    with db.read() as s:
        due = [(d.id, d.dossier_id, d.body) for d in _due(s, now(), limit)]
    report = PushReport()
    if not due:
        return report
    with ThreadPoolExecutor(max_workers=max(1, cfg.concurrency)) as pool:
        outcomes = list(pool.map(lambda item: send(client, cfg.url, item[2]), due))
    at = now()
    with db.write() as s:
        for (did, dossier_id, _), outcome in zip(due, outcomes, strict=True):
            d = s.get(PortalDelivery, did)
            if d is None or d.state != STATE_PENDING:
                continue
            d.attempts += 1
            st = s.get(PortalDossier, dossier_id)
            if outcome.kind == "ack":
                report.acked += 1
                d.state, d.sent_at, d.last_error = STATE_SENT, at, ""
                if st is not None:
                    st.events_acked += 1
                    st.synced_at = at
                    st.state = STATE_SYNCED if st.events_acked >= st.events_total else STATE_PENDING
            elif outcome.kind == "refused":
                report.refused += 1
                d.state, d.last_error = STATE_FAILED, outcome.detail
                if st is not None:
                    st.state = STATE_FAILED
                log.warning("portal refused record %s of %s: %s", d.seq, d.code, outcome.detail[:300])
            else:
                report.retried += 1
                d.last_error = outcome.detail
                d.next_attempt_at = at + backoff(cfg, d.attempts, rng)
    return report


def retry_failed(db: Database, code: str | None = None) -> int:
    """Put refused deliveries back in the queue (after the cause was fixed)."""
    with db.write() as s:
        q = update(PortalDelivery).where(PortalDelivery.state == STATE_FAILED)
        if code:
            q = q.where(PortalDelivery.code == code)
        done = s.execute(q.values(state=STATE_PENDING, next_attempt_at=datetime(2000, 1, 1)))
        n = done.rowcount  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
        s.execute(
            update(PortalDossier).where(PortalDossier.state == STATE_FAILED).values(state=STATE_PENDING)
        )
        return int(n or 0)


def make_client(cfg: PortalConfig) -> httpx.Client:
    return httpx.Client(timeout=cfg.timeout, limits=httpx.Limits(max_connections=cfg.concurrency + 2))


def sync_until_idle(
    db: Database, cfg: PortalConfig, *, max_passes: int = 10_000, stop: threading.Event | None = None
) -> PushReport:
    """Enqueue and push until nothing is due now (retries waiting for their back-off end the run)."""
    total = PushReport()
    with make_client(cfg) as client:
        try:
            pull_online(db, client, cfg)
            pull_supplements(db, client, cfg)
        except (httpx.HTTPError, ValueError) as exc:  # the portal's feed failed: next pass tries again
            log.info("online submissions not pulled: %s", exc)
        for _ in range(max_passes):
            if stop is not None and stop.is_set():
                break
            read = enqueue(db)
            r = push_once(db, client, cfg)
            total.acked += r.acked
            total.refused += r.refused
            total.retried += r.retried
            if not read and not r.attempted:
                break
    return total


class PortalLoop:
    """The background connector: a daemon thread running enqueue + push every ``cfg.interval`` seconds."""

    def __init__(self, db_url: str, cfg: PortalConfig) -> None:
        self.db = Database(db_url)
        self.cfg = cfg
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="portal-connector", daemon=True)

    def start(self) -> PortalLoop:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stop_event.is_set():
            try:
                sync_until_idle(self.db, self.cfg, max_passes=100, stop=self.stop_event)
            except Exception:  # the loop must survive a bad moment of the database or the network
                log.exception("portal connector pass failed")
            self.stop_event.wait(self.cfg.interval)

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=30)
        self.db.dispose()


# --- 4. online submissions in ------------------------------------------------------------------------

ONLINE_PATH = "/portal/v1/online"
_ONLINE_NS = uuid.UUID("6f1c1f43-5f55-4d7a-9a43-3c1d2b9a4e20")


def online_dossier_id(portal_id: str) -> str:
    """The dossier id of an online submission: derived from the portal's id, so a submission pulled
    twice (a lost answer, a duplicated feed item) is one dossier."""
    return str(uuid.uuid5(_ONLINE_NS, "dossier:" + portal_id))


def _calendar(s: Session) -> WorkingCalendar:
    return WorkingCalendar(DayOverride(d.day, d.kind, d.note) for d in s.scalars(select(CalendarDay)))


def _online_state(
    s: Session, item: dict[str, Any], cfg: PortalConfig
) -> tuple[DossierSnapshot, Event] | None:
    """The snapshot and ``dossier.received`` event of one submission, or None when it cannot be routed."""
    eid = item.get("MotcuaMaCoQuanCoThamQuyen")
    centre = s.scalar(select(Centre).where(Centre.eid == eid)) if isinstance(eid, str) else None
    if centre is None:
        return None
    pid = str(item["MaHoSoQuocGia"])
    try:
        submitted = parse_portal_time(str(item.get("NgayNopHoSo", "")))
    except ValueError:
        return None
    papers = [
        {
            "name": str(p.get("TenTepTin") or "Tệp đính kèm")[:1000],
            "form": "copy",
            "count": 1,
            "file_url": p.get("DuongDan"),
            "digitised": True,
        }
        for p in item.get("TaiLieuNop") or []
        if isinstance(p, dict)
    ]
    personal_id = item.get("SoDinhDanh")
    snap = DossierSnapshot(
        id=online_dossier_id(pid),
        code=None,
        procedure_code=str(item["MaTTHC"])[:60],
        procedure_name=str(item["TenTTHC"])[:1000],
        applicant=ApplicantInfo(
            id=str(uuid.uuid5(_ONLINE_NS, "applicant:" + pid)),
            personal_id=personal_id if isinstance(personal_id, str) and len(personal_id) == 12 else None,
            full_name=str(item["ChuHoSo"])[:200],
            phone=str(item["SoDienThoai"])[:20] if item.get("SoDienThoai") else None,
            email=str(item["Email"])[:200] if item.get("Email") else None,
            address=str(item.get("DiaChi") or "")[:1000],
        ),
        receiving_agency_eid=centre.eid,
        receiving_agency=centre.name,
        competent_agency=centre.name,
        competent_agency_eid=centre.eid,
        handling_agency=centre.name,
        handling_agency_eid=centre.eid,
        scenario="a",
        channel="online",
        received_at=submitted,
        status=Status.NEW,
        papers_received=papers,
        portal_id=pid[:60],
        acceptance_due_at=acceptance_deadline(submitted, _calendar(s), cfg.acceptance_hours),
        # As the portal says (docs/portal-contract.md); anything but its values counts as "no".
        vneid_verified=item.get("TaiKhoanDuocXacThucVoiVNeID") == 1,
        paid_online=int(paid) if (paid := item.get("DuocThanhToanTrucTuyen")) in (1, 2) else 0,
    )
    event = Event.received(
        str(uuid.uuid5(_ONLINE_NS, "submitted:" + pid)),
        snap,
        occurred_at=submitted,
        operator="Cổng DVC quốc gia",
        workstation="portal",
    )
    return snap, event


@dataclass
class OnlineReport:
    added: int = 0
    known: int = 0
    unroutable: list[str] = field(default_factory=list)


def pull_online(
    db: Database, client: httpx.Client, cfg: PortalConfig, now: datetime | None = None
) -> OnlineReport:
    """Bring the portal's new online submissions in: each becomes a dossier in status 1 (new) of its
    competent centre, with its ``dossier.received`` event and a change the centre's desks pull. Idempotent
    (the dossier id derives from the portal's id). A submission for a centre this server does not know is
    skipped and reported."""
    report = OnlineReport()
    while True:
        with db.read() as s:
            row = s.get(PortalSetting, "online_cursor")
            since = int(row.value) if row is not None else 0
        r = client.get(cfg.url + ONLINE_PATH, params={"since": since, "limit": 200})
        r.raise_for_status()
        page = r.json()
        items = [x for x in page.get("items", []) if isinstance(x, dict) and x.get("MaHoSoQuocGia")]
        at = now or datetime.utcnow()
        with db.write() as s:
            changes: list[ChangeRow] = []
            for item in items:
                did = online_dossier_id(str(item["MaHoSoQuocGia"]))
                if s.get(Dossier, did) is not None or any(c.dossier_id == did for c in changes):
                    report.known += 1
                    continue
                built = _online_state(s, item, cfg)
                if built is None:
                    report.unroutable.append(str(item["MaHoSoQuocGia"]))
                    log.warning("online submission %s names no centre of this server", item["MaHoSoQuocGia"])
                    continue
                snap, event = built
                snapshot = snap.model_dump(mode="json")
                body = event.model_dump(mode="json")
                s.add(
                    Dossier(
                        id=did,
                        code=None,
                        receiving_eid=snap.receiving_agency_eid,
                        competent_eid=snap.competent_agency_eid,
                        handling_eid=snap.handling_agency_eid,
                        status=Status.NEW.value,
                        snapshot=snapshot,
                        created_at=at,
                        updated_at=at,
                    )
                )
                s.flush()
                s.add(
                    EventRow(
                        event_id=event.event_id,
                        dossier_id=did,
                        type=event.type,
                        body=body,
                        body_hash=hashlib.sha256(canonical_json(body).encode()).hexdigest(),
                        device_id=None,
                        received_at=at,
                    )
                )
                state = DossierState(**snap.model_dump(), events=[event])
                changes.append(
                    ChangeRow(
                        kind="dossier",
                        dossier_id=did,
                        receiving_eid=snap.receiving_agency_eid,
                        competent_eid=snap.competent_agency_eid,
                        handling_eid=snap.handling_agency_eid,
                        body=state.model_dump(mode="json"),
                        created_at=at,
                    )
                )
                report.added += 1
            _advance(s, "online_cursor", int(page.get("next", since)), changes)
        if not page.get("more") or not items:
            return report


# --- 4b. supplements sent by citizens before acceptance -----------------------------------------------

SUPPLEMENTS_PATH = "/portal/v1/supplements"


@dataclass
class SupplementReport:
    added: int = 0
    known: int = 0
    #: Supplements of dossiers this server does not hold, or that were not waiting for one (portal ids).
    skipped: list[str] = field(default_factory=list)


def _supplemented(s: Session, item: dict[str, Any], cfg: PortalConfig, at: datetime) -> ChangeRow | None:
    """Record the citizen's supplement on an online dossier waiting for one: an ``online_supplemented``
    transition (the status stays ``new``) carrying the new files and the new acceptance deadline (the clock
    restarts or resumes, :attr:`PortalConfig.acceptance_after_supplement`); returns the desks' change."""
    pid = str(item["MaHoSoQuocGia"])
    dossier = s.get(Dossier, online_dossier_id(pid))
    try:
        supplemented_at = parse_portal_time(str(item.get("NgayBoSung", "")))
    except ValueError:
        return None
    if dossier is None or dossier.status != Status.NEW.value or dossier.code is not None:
        return None
    bodies = list(
        s.scalars(select(EventRow.body).where(EventRow.dossier_id == dossier.id).order_by(EventRow.id))
    )
    actions = [str((b.get("payload") or {}).get("action", "")) for b in bodies]
    if not awaiting_supplement(actions):
        return None
    asked_at = next(
        datetime.fromisoformat(str(b["occurred_at"])).replace(tzinfo=None)
        for b in reversed(bodies)
        if (b.get("payload") or {}).get("action") == Action.REQUEST_ONLINE_SUPPLEMENT.value
    )
    when = max(supplemented_at, asked_at)
    snapshot = dict(dossier.snapshot)
    previous = snapshot.get("acceptance_due_at")
    new_due = acceptance_after_supplement(
        datetime.fromisoformat(previous) if isinstance(previous, str) else None,
        asked_at,
        when,
        _calendar(s),
        cfg.acceptance_hours,
        cfg.acceptance_after_supplement,
    )
    papers = [
        {
            "name": str(p.get("TenTepTin") or "Tệp bổ sung")[:1000],
            "form": "copy",
            "count": 1,
            "file_url": p.get("DuongDan"),
            "digitised": True,
        }
        for p in item.get("TaiLieuNop") or []
        if isinstance(p, dict)
    ]
    event = Event.transitioned(
        str(uuid.uuid5(_ONLINE_NS, "supplemented:" + str(item["MaBoSung"]))),
        dossier.id,
        TransitionPayload(
            action=Action.ONLINE_SUPPLEMENTED,
            from_status=Status.NEW,
            to_status=Status.NEW,
            reason=str(item.get("GhiChu") or "")[:5000],
            extra={
                "supplement_id": str(item["MaBoSung"]),
                "papers": papers,
                "acceptance_due_at": new_due.isoformat(),
                "acceptance_rule": cfg.acceptance_after_supplement,
            },
        ),
        seq=len(bodies) + 1,
        occurred_at=when,
        operator="Cổng DVC quốc gia",
        workstation="portal",
    )
    body = event.model_dump(mode="json")
    snapshot["papers_received"] = [*(snapshot.get("papers_received") or []), *papers]
    snapshot["acceptance_due_at"] = new_due.isoformat()
    dossier.snapshot = snapshot
    dossier.updated_at = at
    s.add(
        EventRow(
            event_id=event.event_id,
            dossier_id=dossier.id,
            type=event.type,
            body=body,
            body_hash=hashlib.sha256(canonical_json(body).encode()).hexdigest(),
            device_id=None,
            received_at=at,
        )
    )
    state = DossierState(
        **{k: v for k, v in snapshot.items() if k != "events"},
        events=[Event.model_validate(b) for b in [*bodies, body]],
    )
    return ChangeRow(
        kind="dossier",
        dossier_id=dossier.id,
        receiving_eid=dossier.receiving_eid,
        competent_eid=dossier.competent_eid,
        handling_eid=dossier.handling_eid,
        body=state.model_dump(mode="json"),
        created_at=at,
    )


def pull_supplements(
    db: Database, client: httpx.Client, cfg: PortalConfig, now: datetime | None = None
) -> SupplementReport:
    """Bring in the supplements citizens sent on the portal for dossiers asked for one before acceptance.
    Idempotent: the event id derives from the portal's supplement id, so one delivered twice is one."""
    report = SupplementReport()
    while True:
        with db.read() as s:
            row = s.get(PortalSetting, "supplement_cursor")
            since = int(row.value) if row is not None else 0
        r = client.get(cfg.url + SUPPLEMENTS_PATH, params={"since": since, "limit": 200})
        r.raise_for_status()
        page = r.json()
        items = [
            x
            for x in page.get("items", [])
            if isinstance(x, dict) and x.get("MaHoSoQuocGia") and x.get("MaBoSung")
        ]
        at = now or datetime.utcnow()
        with db.write() as s:
            changes: list[ChangeRow] = []
            for item in items:
                eid = str(uuid.uuid5(_ONLINE_NS, "supplemented:" + str(item["MaBoSung"])))
                if s.scalar(select(EventRow.id).where(EventRow.event_id == eid)) is not None:
                    report.known += 1
                    continue
                change = _supplemented(s, item, cfg, at)
                if change is None:
                    report.skipped.append(str(item["MaHoSoQuocGia"]))
                    log.warning("supplement for %s has no dossier waiting for it", item["MaHoSoQuocGia"])
                    continue
                s.flush()
                changes.append(change)
                report.added += 1
            _advance(s, "supplement_cursor", int(page.get("next", since)), changes)
        if not page.get("more") or not items:
            return report


# --- status --------------------------------------------------------------------------------------------


@dataclass
class PortalStatus:
    url: str
    enabled: bool
    events_cursor: int
    events_total: int
    backlog: int
    failed: int
    retrying: int
    dossiers: dict[str, int]
    oldest_pending_at: datetime | None
    lag_seconds: float | None
    recent_lag_seconds: float | None
    failures: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["oldest_pending_at"] = self.oldest_pending_at.isoformat() if self.oldest_pending_at else None
        return out


def status(db: Database, now: datetime | None = None) -> PortalStatus:
    now = now or datetime.utcnow()
    cfg = load_config(db)
    with db.read() as s:
        cursor = _cursor(s)
        total = s.scalar(select(func.count()).select_from(EventRow)) or 0
        behind = s.scalar(select(func.count()).select_from(EventRow).where(EventRow.id > cursor)) or 0
        pending = s.scalar(select(func.count()).where(PortalDelivery.state == STATE_PENDING)) or 0
        failed = s.scalar(select(func.count()).where(PortalDelivery.state == STATE_FAILED)) or 0
        retrying = (
            s.scalar(
                select(func.count()).where(PortalDelivery.state == STATE_PENDING, PortalDelivery.attempts > 0)
            )
            or 0
        )
        dossiers: dict[str, int] = {
            st: n
            for st, n in s.execute(select(PortalDossier.state, func.count()).group_by(PortalDossier.state))
        }
        oldest = s.scalar(select(func.min(PortalDelivery.event_at)).where(PortalDelivery.state != STATE_SENT))
        if behind:
            first = s.scalar(select(func.min(EventRow.received_at)).where(EventRow.id > cursor))
            oldest = min(x for x in (oldest, first) if x is not None)
        recent = list(
            s.execute(
                select(PortalDelivery.event_at, PortalDelivery.sent_at)
                .where(PortalDelivery.state == STATE_SENT)
                .order_by(PortalDelivery.sent_at.desc())
                .limit(100)
            )
        )
        failures = [
            {"code": d.code, "seq": d.seq, "event_id": d.event_id, "error": d.last_error[:500]}
            for d in s.scalars(select(PortalDelivery).where(PortalDelivery.state == STATE_FAILED).limit(20))
        ]
    recent_lag = (
        sum((b - a).total_seconds() for a, b in recent if b is not None) / len(recent) if recent else None
    )
    return PortalStatus(
        url=cfg.url,
        enabled=cfg.enabled,
        events_cursor=cursor,
        events_total=int(total),
        backlog=int(pending) + int(behind),
        failed=int(failed),
        retrying=int(retrying),
        dossiers={str(k): int(v) for k, v in dossiers.items()},
        oldest_pending_at=oldest,
        lag_seconds=(now - oldest).total_seconds() if oldest else None,
        recent_lag_seconds=recent_lag,
        failures=failures,
    )


# --- 5. reconciliation ---------------------------------------------------------------------------------


def _portal_records(cfg: PortalConfig, centre: str) -> dict[str, dict[str, Any]]:
    try:
        with make_client(cfg) as client:
            r = client.get(cfg.url + RECORDS_PATH, params={"agency": centre})
        r.raise_for_status()
        return {x["MaHoSo"]: x for x in r.json()["records"]}
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise PortalError(
            Problem(
                "portal.unreachable",
                f"Không lấy được danh sách hồ sơ từ cổng {cfg.url}: {exc}",
                f"Could not read the dossiers from the portal {cfg.url}: {exc}",
            )
        ) from None


def reconcile(
    db: Database,
    centre: str,
    start: date,
    end: date,
    *,
    late_after: timedelta = LATE_AFTER,
    fetch: Callable[[PortalConfig, str], dict[str, dict[str, Any]]] = _portal_records,
) -> tuple[int, int, list[Difference]]:
    """Dossiers of ``centre`` (receiving or competent) received from ``start`` to ``end`` (server dates) here
    vs acknowledged by the portal, whose own copy is asked for. Returns (known here, acknowledged,
    differences); the reasons are app.domain.reconcile's (the desks' report uses the same), "synced late"
    measured from the event of the first acknowledged record to its acknowledgement."""
    cfg = load_config(db)
    if not cfg.url:
        raise PortalError(
            Problem("portal.not_configured", "Chưa cấu hình địa chỉ cổng.", "No portal URL is configured.")
        )
    portal = fetch(cfg, centre)
    lo, hi = (
        datetime.combine(start, datetime.min.time()),
        datetime.combine(end + timedelta(days=1), datetime.min.time()),
    )
    with db.read() as s:
        ours = list(
            s.execute(
                select(Dossier.id, Dossier.code, Dossier.status)
                .where(
                    (Dossier.receiving_eid == centre) | (Dossier.competent_eid == centre),
                    Dossier.created_at >= lo,
                    Dossier.created_at < hi,
                    Dossier.code.is_not(None),
                )
                .order_by(Dossier.code)
            )
        )
        acks = acks_of(s, [r[0] for r in ours])
    diffs: list[Difference] = []
    acked = 0
    for did, code, st in ours:
        assert code is not None
        theirs = portal.get(code)
        held = acks.get(did)
        ack = (
            PortalAck(
                theirs["HoSo"].get("TrangThaiHoSo"),
                held[0].first_event_at if held else None,
                held[0].first_acked_at if held else None,
                held[0].pending if held else 0,
            )
            if theirs is not None
            else None
        )
        acked += theirs is not None
        diff = classify(code, Status(st).national_code, ack, late_after)
        if diff is not None:
            diffs.append(diff)
    return len(ours), acked, diffs


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)


__all__: Sequence[str] = [
    "PortalConfig",
    "PortalError",
    "PortalLoop",
    "configure",
    "enqueue",
    "load_config",
    "push_once",
    "reconcile",
    "status",
    "sync_until_idle",
]


def _advance(s: Session, key: str, cursor: int, changes: Sequence[ChangeRow]) -> None:
    """One page of a portal feed taken: its cursor moved, then the desks' changes it made appended."""
    row = s.get(PortalSetting, key)
    if row is None:
        s.add(PortalSetting(key=key, value=str(cursor)))
    else:
        row.value = str(cursor)
    if changes:
        lock_change_feed(s)  # the change feed's rule (server/sync.py): appends last, serialised
        s.add_all(changes)
