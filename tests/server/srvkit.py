"""Helpers of the server tests: the running server, the demo centres, devices and dossier events."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from app.contract import ApplicantInfo, CentreInfo, DossierSnapshot, Event, TransitionPayload
from app.domain.calendar import VIETNAM_TZ
from app.domain.codes import DEFAULT_PLAN, format_code
from app.domain.status import Action, Status
from app.sync import engine
from app.sync.client import SyncClient
from server import admin
from server import models as sm
from server.admin import demo_file
from server.db import Database
from server.numbering import local_today

#: The demo centres (resources/demo/centre.json): two communes and the provincial land registry.
A = "000.10.24.H06"  # Bắc Giang ward (receives)
B = "000.11.24.H06"  # Kinh Bắc ward (scenario c target)
P = "000.00.15.H06"  # Văn phòng đăng ký đất đai tỉnh Bắc Ninh (scenario b target)


#: The password of the operators the tests create (passes server.password_policy).
OPERATOR_PASSWORD = "Cây-đa-giếng-nước-sân-đình"
#: The operators every test desk signs in (server.sync refuses events naming anyone else).
OPERATOR_NAMES = ("demo", "Nguyễn Thị Minh Anh", "Nguyễn Thị Lan", "Cán bộ Kinh Bắc", "Cán bộ VPĐKĐĐ")


def sign_in(world: World, token: str, eid: str, names: tuple[str, ...] = OPERATOR_NAMES) -> None:
    """Make operators of centre ``eid`` with these full names (if missing) and log each in through the
    device holding ``token``, so that its events may name them."""
    for i, name in enumerate(names):
        username = f"op{i}"
        try:
            admin.add_operator(world.db, eid, username, name, OPERATOR_PASSWORD)
        except admin.AdminError as err:
            assert err.problem.code == "admin.operator_exists", err.problem
        with SyncClient(world.live.url, token) as client:
            client.login(username, OPERATOR_PASSWORD)


def today() -> date:
    return local_today(admin.now_utc())


def local_now() -> datetime:
    """The centre's wall-clock time now (naive, Vietnam), as a desk stamps its dossiers."""
    return admin.now_utc().replace(tzinfo=UTC).astimezone(VIETNAM_TZ).replace(tzinfo=None, microsecond=0)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class LiveServer:
    url: str
    db_url: str
    db: Database
    #: The server's file store folder (issue 19); None where a test builds its own server.
    blob_dir: Path | None = None
    #: The running FastAPI application (its ``state.blobs`` is swapped by the ``blob_store`` fixture).
    app: Any = None


@dataclass
class Desk:
    """An enrolled workstation of a centre."""

    eid: str
    client: SyncClient
    device_id: str
    slot: int
    seqs: dict[str, int] = field(default_factory=dict)
    #: Numbers given so far, in all; and per day (each day has its own fallback block).
    issued: int = 0
    issued_on: dict[date, int] = field(default_factory=dict)

    def next_code(self, day: date | None = None) -> str:
        """The next number of this desk's own fallback block (five-digit part) for ``day``: a code the
        server accepts from this desk without a lease."""
        first, last = DEFAULT_PLAN.fallback_ranges(self.slot)[1]
        day = day or today()
        n = self.issued_on.get(day, 0)
        assert first + n <= last, f"the fallback block of {day} is used up: use another day"
        self.issued_on[day] = n + 1
        self.issued += 1
        return format_code(self.eid, day, first + n)

    def block_size(self) -> int:
        """How many numbers one day's fallback block holds."""
        first, last = DEFAULT_PLAN.fallback_ranges(self.slot)[1]
        return last - first + 1

    def next_seq(self, dossier_id: str) -> int:
        self.seqs[dossier_id] = self.seqs.get(dossier_id, 0) + 1
        return self.seqs[dossier_id]


class World:
    """The three demo centres on a clean server, and factories of devices and events."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.db = live.db
        self._clients: list[SyncClient] = []
        self._numbers: dict[str, int] = {}
        #: When set, the desks made by :meth:`desk` are recorded as enrolled then (UTC), for tests whose
        #: dossiers are dated in the past.
        self.enrolled_at: datetime | None = None
        #: Codes made by ``snapshot(code="auto")``: ``received`` swaps them for a number of the pushing desk.
        self._auto: set[str] = set()
        data = json.loads(demo_file().read_text(encoding="utf-8"))
        self.names: dict[str, str] = {}
        for c in data["centres"]:
            info = CentreInfo(
                eid=c["agency_eid"],
                name=c["name"],
                kind=c["kind"],
                unit_code=c["unit_code"],
                province_code=c["province_code"],
            )
            admin.add_centre(self.db, info)
            self.names[info.eid] = info.name

    def client(self, token: str | None = None, **kwargs: Any) -> SyncClient:
        c = SyncClient(self.live.url, token, **kwargs)
        self._clients.append(c)
        return c

    def enrol_code(self, eid: str = A, **kwargs: Any) -> str:
        return admin.issue_enrolment_code(self.db, eid, **kwargs).code

    def desk(self, eid: str = A, name: str = "Quầy 1") -> Desk:
        c = self.client()
        r = c.enroll(self.enrol_code(eid), name)
        assert r.device_token
        sign_in(self, r.device_token, eid, ("demo",))
        if self.enrolled_at is not None:
            self.backdate(r.device_id, self.enrolled_at)
        return Desk(eid, c, r.device_id, r.slot)

    def backdate(self, device_id: str, enrolled_at: datetime) -> None:
        """Record the device as enrolled at ``enrolled_at`` (UTC): a workstation enrolled long ago may push
        work dated months back, which the server refuses from one enrolled today (issue 16, D8)."""
        with self.db.write() as s:
            s.execute(update(sm.Device).where(sm.Device.id == device_id).values(enrolled_at=enrolled_at))

    def close(self) -> None:
        for c in self._clients:
            c.close()

    # -- dossiers

    def code(self, eid: str = A, day: date | None = None) -> str:
        n = self._numbers.get(eid, 0) + 1
        self._numbers[eid] = n
        return format_code(eid, day or today(), n)

    def auto_code(self, eid: str) -> str:
        code = self.code(eid)
        self._auto.add(code)
        return code

    def snapshot(
        self,
        eid: str = A,
        *,
        scenario: str = "a",
        competent: str | None = None,
        handling: str | None = None,
        code: str | None = "auto",
        status: Status = Status.RECEIVED,
    ) -> DossierSnapshot:
        if scenario == "a":
            competent = handling = eid
        if competent is not None:
            competent_name = self.names.get(competent, competent)
        else:
            competent_name = "Văn phòng đăng ký đất đai tỉnh"
        return DossierSnapshot(
            id=new_id(),
            code=self.auto_code(eid) if code == "auto" else code,
            lookup_secret="K7QM",
            procedure_code="1.001193" if scenario == "a" else "1.013831" if scenario == "b" else "1.001612",
            procedure_name="Thủ tục mẫu",
            applicant=ApplicantInfo(
                id=new_id(),
                personal_id="024190001234",
                full_name="Nguyễn Văn Đức",
                birth_date=date(1990, 5, 17),
                gender="Nam",
                phone="0912345678",
                address="Phường Bắc Giang, tỉnh Bắc Ninh",
                unit_code="07210",
            ),
            receiving_agency_eid=eid,
            receiving_agency=self.names.get(eid, eid),
            competent_agency=competent_name,
            competent_agency_eid=competent,
            competent_unit_code=None,
            handling_agency=competent_name,
            handling_agency_eid=handling,
            scenario=scenario,  # type: ignore[arg-type]
            channel="direct",
            received_at=local_now(),
            due_at=local_now() + timedelta(days=3),
            status=status,
            papers_received=[{"name": "Tờ khai", "form": "original", "count": 1}],
            sets_count=1,
            fee_vnd=0,
            result_delivery="counter",
            notes="",
        )

    def received(self, desk: Desk, snap: DossierSnapshot) -> Event:
        if snap.code in self._auto and snap.receiving_agency_eid == desk.eid:
            self._auto.discard(snap.code)
            snap.code = desk.next_code()  # the server accepts only the pushing desk's own numbers
        return Event.received(
            new_id(),
            snap,
            seq=desk.next_seq(snap.id),
            occurred_at=snap.received_at,
            operator="demo",
            workstation="Quầy 1",
        )

    def transition(
        self,
        desk: Desk,
        dossier_id: str,
        action: Action,
        to_status: Status,
        *,
        from_status: Status | None = None,
        handling: str | None = None,
        due_at: datetime | None = None,
        reason: str = "",
    ) -> Event:
        return Event.transitioned(
            new_id(),
            dossier_id,
            TransitionPayload(
                action=action,
                from_status=from_status,
                to_status=to_status,
                reason=reason,
                due_at=due_at,
                handling_agency_eid=handling,
            ),
            seq=desk.next_seq(dossier_id),
            occurred_at=local_now(),
            operator="demo",
            workstation="Quầy 1",
        )


def statuses(results: list[Any]) -> list[str]:
    """The status of each push result, with the reason code of rejections (``rejected:code``)."""
    return [r.status if r.reason is None else f"{r.status}:{r.reason.code}" for r in results]


def sync_round(store: Any) -> engine.RoundReport:
    """One sync round of a desk (push, pull, files) against the server it is enrolled with."""
    url, _device, token = engine.connection(store)
    with SyncClient(url, token) as client:
        return engine.SyncEngine(store, client).run_round()
