"""Printing use cases: map dossiers to the form data of ``app.print``, render, and archive.

The PDF that is printed is the PDF that is archived (``printed_documents``). The first print of a form
for a dossier is the original; any later one is a reprint, marked "BẢN SAO" and logged in the audit
trail. A receipt is only ever rendered from a committed (durable) dossier.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.domain.collection import collector_of
from app.domain.errors import DomainError, Problem
from app.domain.status import Action, Status
from app.models import Centre, Dossier, DossierEvent, DossierFile, PrintedDocument, Procedure
from app.models.db import Store
from app.print import forms
from app.print import model as pm
from app.services import audit
from app.services.audit import Actor
from app.services.desk import home_centre
from app.services.dossiers import find_dossier
from app.services.labels import time_label
from app.services.reference import get_setting
from app.services.settings import LOGBOOK_NUMBERINGS

#: Forms printed for one dossier (``print FORM CODE``).
DOSSIER_FORMS = ("receipt", "receipt-80mm", "supplement", "refusal", "apology", "stop", "control")


def logbook_numbering(session: Session) -> str:
    """How Mẫu 01's "Vào Sổ theo dõi hồ sơ, Quyển số … Số thứ tự …" and Mẫu 07's book number and TT are
    filled (setting ``logbook_numbering``). No official rule was found: the receipt template (domain.md
    §1.3) has the blanks, but the appendix of TT 03/2025 that might say how to fill them was not obtained.
    "year" (the default) is this program's rule: one book per calendar year of the receiving centre,
    Quyển số = the year, Số thứ tự = the dossier's position in that year's logbook (received time, then
    code). "none" leaves both blank to be written by hand, and the logbook's TT counts the period from 1.
    """
    value = get_setting(session, "print.logbook_numbering")
    return value if value in LOGBOOK_NUMBERINGS else "year"


def _in_logbook(centre_id: Any) -> Any:
    """The dossiers that are lines of the logbook of a centre (those with a code)."""
    return (Dossier.receiving_centre_id == centre_id, Dossier.code.is_not(None))


def logbook_position(session: Session, d: Dossier) -> tuple[str, int] | None:
    """(book, number) of a dossier in its centre's logbook under the "year" rule; None under "none"."""
    if logbook_numbering(session) != "year" or d.code is None:
        return None
    start = datetime(d.received_at.year, 1, 1)
    before = _count(
        session,
        *_in_logbook(d.receiving_centre_id),
        Dossier.received_at >= start,
        or_(
            Dossier.received_at < d.received_at,
            and_(Dossier.received_at == d.received_at, Dossier.code < d.code),
        ),
    )
    return str(d.received_at.year), before + 1


def _count(session: Session, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(Dossier).where(*where)) or 0


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    form: str
    is_copy: bool
    document_id: int


def agency_of(centre: Centre) -> pm.Agency:
    return pm.Agency(
        name=centre.name,
        parent_name=centre.parent_name,
        place_name=centre.place_name,
        eid=centre.agency_eid,
        address=centre.address,
        hotline=centre.hotline,
        lookup_url=centre.lookup_url,
    )


def _fee_text(proc: Procedure, fee: int) -> str:
    return "" if fee else (proc.fee_text or "Không")


def _digitised(session: Session, dossier_ids: list[str]) -> dict[str, set[int]]:
    """Per dossier, the checklist rows with a stored file (issue 19: marked on the receipt and logbook)."""
    out: dict[str, set[int]] = {}
    for chunk in (dossier_ids[i : i + 500] for i in range(0, len(dossier_ids), 500)):
        rows = session.execute(
            select(DossierFile.dossier_id, DossierFile.paper_no).where(
                DossierFile.dossier_id.in_(chunk),
                DossierFile.kind == "paper",
                DossierFile.replaced_at.is_(None),
                DossierFile.sha256.is_not(None),
            )
        )
        for dossier_id, paper_no in rows:
            out.setdefault(dossier_id, set()).add(int(paper_no))
    return out


def _papers(d: Dossier, digitised: set[int]) -> tuple[pm.Paper, ...]:
    return tuple(
        pm.Paper(name=p["name"], form=p["form"], count=int(p["count"]), digitised=i in digitised)
        for i, p in enumerate(d.papers_received, start=1)
    )


def _last_event(d: Dossier, action: Action) -> Any:
    for e in reversed(d.events):
        if e.action == action.value:
            return e
    raise DomainError(
        Problem(
            "print.no_event",
            f"Hồ sơ chưa có bước «{action.label_vi}» nên chưa in được phiếu này.",
            f"The dossier has no '{action.label_en}' step, so this form cannot be printed yet.",
            "form",
        )
    )


def _collector_text(payload: Any, default: str) -> str:
    """Who collected the result, as recorded on the hand_back event (``default`` for an older event)."""
    who = collector_of(payload)
    return who.text_vi() if who is not None else default


def _hand_back_signature(d: Dossier) -> str:
    """The logbook's "Ký nhận" column: the name (and ID) of whoever collected the result."""
    for e in reversed(d.events):
        if e.action == Action.HAND_BACK.value:
            return _collector_text(e.payload, "")
    return ""


def _logbook_fields(session: Session, d: Dossier) -> dict[str, str]:
    place = logbook_position(session, d)
    return {} if place is None else {"logbook_volume": place[0], "logbook_number": str(place[1])}


def form_data(session: Session, d: Dossier, form: str, copy_mark: bool = False) -> Any:
    centre = session.get(Centre, d.receiving_centre_id) or home_centre(session)
    agency = agency_of(centre)
    proc, a = d.procedure, d.applicant
    if form in ("receipt", "receipt-80mm"):
        if d.code is None or d.status == Status.REFUSED.value:
            raise DomainError(
                Problem(
                    "print.no_receipt",
                    "Hồ sơ bị từ chối tiếp nhận không có giấy tiếp nhận.",
                    "A dossier refused at intake has no receipt.",
                    "form",
                )
            )
        return pm.ReceiptData(
            code=d.code,
            lookup_secret=d.lookup_secret,
            agency=agency,
            applicant_name=a.full_name,
            applicant_id=a.personal_id or a.old_id or "",
            address=a.address,
            phone=a.phone or "",
            email=a.email or "",
            procedure_name=proc.name,
            procedure_code=proc.code,
            papers=_papers(d, _digitised(session, [d.id]).get(d.id, set())),
            sets_count=d.sets_count,
            time_text=time_label(proc.time_value, proc.time_unit),
            received_at=d.received_at,
            due_at=d.due_at,
            result_delivery=pm.RESULT_BY_POST if d.result_delivery == "post" else pm.RESULT_AT_CENTRE,
            fee_vnd=d.fee_vnd,
            fee_text=_fee_text(proc, d.fee_vnd),
            fee_basis=d.fee_basis,
            extension=d.extension,
            operator_name=d.events[0].operator_name,
            copy_mark=copy_mark,
            **_logbook_fields(session, d),
        )
    if form == "supplement":
        e = _last_event(d, Action.REQUEST_SUPPLEMENT)
        items = tuple(
            pm.MissingItem(name=str(m.get("name", "")), reason=str(m.get("reason", "")))
            for m in e.payload.get("missing", [])
        ) or (pm.MissingItem(name=e.reason),)
        deadline = e.payload.get("deadline")
        return pm.SupplementData(
            code=d.code or "",
            agency=agency,
            applicant_name=a.full_name,
            procedure_name=proc.name,
            received_at=d.received_at,
            items=items,
            reason=e.reason,
            deadline=datetime.fromisoformat(deadline) if deadline else None,
            issued_at=e.occurred_at,
            operator_name=e.operator_name,
            contact=centre.hotline,
        )
    if form == "refusal":
        e = _last_event(d, Action.REFUSE)
        return pm.RefusalData(
            agency=agency,
            applicant_name=a.full_name,
            applicant_id=a.personal_id or "",
            address=a.address,
            phone=a.phone or "",
            procedure_name=proc.name,
            reason=e.reason,
            issued_at=e.occurred_at,
            operator_name=e.operator_name,
            code=d.code or "",
        )
    if form == "apology":
        e = _last_event(d, Action.APOLOGISE)
        old = e.payload.get("previous_due_at")
        new_due = datetime.fromisoformat(e.payload["new_due_at"]) if "new_due_at" in e.payload else d.due_at
        assert new_due is not None, "an apology always follows a due date"
        return pm.ApologyData(
            code=d.code or "",
            agency=agency,
            applicant_name=a.full_name,
            procedure_name=proc.name,
            received_at=d.received_at,
            old_due_at=datetime.fromisoformat(old) if old else d.received_at,
            new_due_at=new_due,
            reason=e.reason,
            issued_at=e.occurred_at,
            responsible_agency=str(e.payload.get("responsible_agency") or ""),
        )
    if form == "stop":
        e = _last_event(d, Action.STOP)
        return pm.StopData(
            code=d.code or "",
            agency=agency,
            applicant_name=a.full_name,
            procedure_name=proc.name,
            received_at=d.received_at,
            reason=e.reason,
            issued_at=e.occurred_at,
        )
    if form == "control":
        rows = []
        previous = d.receiving_agency
        for e in d.events:
            if e.action in (
                Action.FORWARD.value,
                Action.TRANSFER.value,
                Action.RESULT_READY.value,
                Action.HAND_BACK.value,
                Action.START_PROCESSING.value,
            ):
                receiver = (
                    e.payload.get("to_agency") or d.handling_agency
                    if e.action
                    in (Action.FORWARD.value, Action.TRANSFER.value, Action.START_PROCESSING.value)
                    else d.receiving_agency
                    if e.action == Action.RESULT_READY.value
                    else _collector_text(e.payload, a.full_name)
                )
                rows.append(
                    pm.ControlRow(
                        giver=previous,
                        receiver=receiver,
                        handed_at=e.occurred_at,
                        result=Action(e.action).label_vi,
                        note=e.reason,
                    )
                )
                previous = receiver
        return pm.ControlSlipData(
            code=d.code or "",
            agency=agency,
            applicant_name=a.full_name,
            procedure_name=proc.name,
            received_at=d.received_at,
            due_at=d.due_at,
            lead_agency=d.competent_agency,
            rows=tuple(rows),
        )
    raise DomainError(Problem("print.form", f"Không có mẫu «{form}».", f"No form {form!r}.", "form"))


def print_dossier_form(
    store: Store, actor: Actor, ref: str, form: str, at: datetime | None = None
) -> Printed:
    """Render ``form`` for a dossier and archive it; a second print of the same form is a marked copy."""
    if form not in DOSSIER_FORMS:
        raise DomainError(Problem("print.form", f"Không có mẫu «{form}».", f"No form {form!r}.", "form"))
    at = at or datetime.now()
    with store.write() as s:
        d = find_dossier(s, ref)
        earlier = (
            s.scalar(
                select(func.count())
                .select_from(PrintedDocument)
                .where(PrintedDocument.dossier_id == d.id, PrintedDocument.form == form)
            )
            or 0
        )
        is_copy = earlier > 0
        pdf = forms.render(form, form_data(s, d, form, copy_mark=is_copy))
        doc = PrintedDocument(
            dossier_id=d.id,
            form=form,
            created_at=at,
            operator_name=actor.operator,
            is_copy=is_copy,
            sha256=hashlib.sha256(pdf).hexdigest(),
            pdf=pdf,
        )
        s.add(doc)
        s.flush()
        audit.append(
            s,
            actor,
            "print.reprint" if is_copy else "print",
            "dossier",
            d.id,
            {"form": form, "code": d.code, "sha256": doc.sha256},
            at=at,
        )
        return Printed(pdf, form, is_copy, doc.id)


def archived(store: Store, ref: str) -> list[tuple[str, datetime, bool, str]]:
    """(form, printed at, is copy, sha256) of every document printed for a dossier, oldest first."""
    with store.read() as s:
        d = find_dossier(s, ref)
        return [
            (p.form, p.created_at, p.is_copy, p.sha256)
            for p in s.scalars(
                select(PrintedDocument).where(PrintedDocument.dossier_id == d.id).order_by(PrintedDocument.id)
            )
        ]


def logbook(store: Store, first: date, last: date, fmt: str = "pdf") -> bytes:
    """Mẫu 07, the dossier logbook of the home centre for a period, as PDF or XLSX."""
    with store.read() as s:
        centre = home_centre(s)
        by_year = logbook_numbering(s) == "year"
        start = datetime.combine(first, datetime.min.time())
        # Under the "year" rule TT is the running number in the year's book (as on Mẫu 01).
        offset = (
            _count(
                s,
                *_in_logbook(centre.id),
                Dossier.received_at >= datetime(first.year, 1, 1),
                Dossier.received_at < start,
            )
            if by_year
            else 0
        )
        rows = s.scalars(
            select(Dossier)
            .where(
                *_in_logbook(centre.id),
                Dossier.received_at >= start,
                Dossier.received_at < datetime.combine(last + timedelta(days=1), datetime.min.time()),
            )
            .order_by(Dossier.received_at, Dossier.code)
        ).all()
        numbers = _running_numbers([d.received_at.year for d in rows], offset) if by_year else None
        years = sorted({d.received_at.year for d in rows}) or [first.year]
        digitised = _digitised(s, [d.id for d in rows])
        data = pm.LogbookData(
            agency=agency_of(centre),
            period_from=first,
            period_to=last,
            volume=", ".join(map(str, years)) if by_year else "",
            issued_at=datetime.now().replace(microsecond=0),
            rows=tuple(
                pm.LogbookRow(
                    number=numbers[i - 1] if numbers is not None else i,
                    code=d.code or "",
                    procedure_name=d.procedure.name + _digitised_note(d, digitised.get(d.id, set())),
                    applicant_name=d.applicant.full_name,
                    address_phone=", ".join(x for x in (d.applicant.address, d.applicant.phone or "") if x),
                    lead_agency=d.competent_agency,
                    received_at=d.received_at,
                    due_at=d.due_at,
                    original_due_at=d.original_due_at,
                    returned_at=d.returned_at,
                    delivery_method="Bưu chính" if d.result_delivery == "post" else "Trực tiếp",
                    signature=_hand_back_signature(d),
                )
                for i, d in enumerate(rows, start=1)
            ),
        )
    return forms.logbook_xlsx(data) if fmt == "xlsx" else forms.render("logbook", data)


def _running_numbers(years: list[int], offset: int) -> list[int]:
    """Running numbers of logbook lines in order: from ``offset + 1`` in the first year, from 1 in each
    later year (a new book)."""
    out: list[int] = []
    current, n = years[0] if years else 0, offset
    for y in years:
        if y != current:
            current, n = y, 0
        n += 1
        out.append(n)
    return out


def _digitised_note(d: Dossier, digitised: set[int]) -> str:
    """Mẫu 07 has no column for digitisation: the procedure cell says how many papers were digitised."""
    if not digitised:
        return ""
    return f" (đã số hóa {len(digitised)}/{len(d.papers_received)} giấy tờ)"


def handover(store: Store, from_unit: str) -> bytes:
    """The hand-over list of a reorganisation transfer from the former unit ``from_unit``."""
    with store.read() as s:
        centre = home_centre(s)
        eids = set(
            s.scalars(
                select(Centre.agency_eid).where(Centre.unit_code == from_unit, Centre.valid_to.is_not(None))
            )
        )
        rows, to_name, from_name, when = [], "", from_unit, None
        transfers = s.execute(
            select(Dossier, DossierEvent)
            .join(DossierEvent, DossierEvent.dossier_id == Dossier.id)
            .where(DossierEvent.action == Action.TRANSFER.value)
            .order_by(Dossier.received_at, DossierEvent.seq)
        ).tuples()
        for d, e in transfers:
            if e.payload.get("from_agency_eid") in eids:
                rows.append(
                    pm.HandoverRow(
                        code=d.code or "",
                        applicant_name=d.applicant.full_name,
                        procedure_name=d.procedure.name,
                        status=Status(e.to_status).label_vi,
                        due_at=d.due_at,
                    )
                )
                to_name, from_name, when = (
                    e.payload.get("to_agency", ""),
                    e.payload.get("from_agency", ""),
                    e.occurred_at,
                )
        if not rows:
            raise DomainError(
                Problem(
                    "print.no_handover",
                    f"Không có hồ sơ nào đã chuyển giao từ đơn vị «{from_unit}».",
                    f"No dossier was transferred from unit {from_unit!r}.",
                    "unit",
                )
            )
        data = pm.HandoverListData(
            agency=agency_of(centre),
            from_unit=from_name,
            to_unit=to_name,
            rows=tuple(rows),
            issued_at=when or datetime.now(),
        )
    return forms.render("handover", data)


def catalogue(store: Store) -> bytes:
    with store.read() as s:
        centre = home_centre(s)
        procs = s.scalars(
            select(Procedure).where(Procedure.active.is_(True)).order_by(Procedure.field, Procedure.code)
        )
        data = pm.CatalogueListData(
            agency=agency_of(centre),
            issued_at=datetime.now().replace(microsecond=0),
            rows=tuple(
                pm.CatalogueRow(
                    code=p.code,
                    name=p.name,
                    time_text=p.time_text or time_label(p.time_value, p.time_unit),
                    fee_text=p.fee_text
                    or ("Không" if not p.fee_vnd else f"{p.fee_vnd:,} đồng".replace(",", ".")),
                    field=p.field,
                )
                for p in procs
            ),
        )
    return forms.render("catalogue", data)
