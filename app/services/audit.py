"""The audit trail: append-only entries, each chained to the one before, keyed with a secret of this
store held in the OS keyring, and covering the dossier and applicant rows they record (issue 16, D10).

**The chain.** Entry *n* (its position in the chain, 1-based) carries
``mac = HMAC-SHA256(key, n || prev_mac || canonical JSON of the entry)``. The head (``[n, mac]``) is kept in
``settings`` in the same transaction, so removing entries from the end is seen when they recorded a row
(below) and, for any entry, by the provincial server, which receives the head with every push. Without
the key nobody can write an entry that verifies: an edited entry, a chain recomputed with this module's
own code (but not the key), a dropped ``audit.keyed`` marker, each is reported by :func:`verify`.

**The key.** 32 random bytes, created when a store is first opened by this version
(:func:`ensure_keyed`), kept in the OS keyring under ``audit-key:<key id>`` (never in a file); the key id
is in the ``audit.keyed`` marker entry that starts the keyed part. ``audit-store:<data folder>`` in the
keyring names the key id of the store in that folder, so a chain rewritten without its marker is seen
too. Stores from before: their unkeyed chain (``sha256(prev || entry)``) is verified once at the upgrade
(the result is recorded in the marker, and :func:`verify` checks that part on every run), then the chain
is continued keyed, every existing dossier, applicant and unsent outbox row sealed (``audit.sealed``
entries of 1,000 rows each); no row is changed. A store whose key is not in this machine's keyring
(restored onto another PC, keyring reset) starts a new keyed part with a new key: the part before it can
no longer be verified and ``db check`` says so. Without an OS keyring at all the chain stays unkeyed
(only the server's copy of the head protects it then) and ``db check`` says that too.

**The rows.** An entry that writes a dossier or an applicant records the digest of the row as it is after
the change (:func:`row_digest`: SHA-256 over a few columns' canonical text, no query), and the event ids
of the outbox rows it queued. ``db check`` compares every row with the digest last recorded for it (a
``status``/``received_at``/name edited with ``sqlite3`` is found) and every recorded outbox row with the
outbox (a deleted, never-pushed event is found).

**What the server does with the head** (``server/audit_heads.py``): it keeps the last head each device
pushed, and each push names, besides its head, the MAC its chain now has at the position of the head the
server last acknowledged. A head whose position goes backwards (a deleted tail, an older copy of the
store) or an anchor MAC that differs from what the server holds (a chain rewritten, even with the key) is
recorded in the server's audit log (``motcua-server audit --kind audit.chain``) and never refuses the
desk's events. The device secret itself is not sent to the server: the server could not verify MACs
without the entries anyway, and a copy of the key there would widen who can forge the chain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.domain.canonical import canonical_json
from app.domain.errors import Problem
from app.domain.progress import Progress, Step, no_progress
from app.models import Applicant, AuditEntry, Dossier, OutboxEntry
from app.models.base import JSONText, table_of
from app.models.fastwrite import RowInserter, execute
from app.services.reference import get_setting, set_setting
from app.sync import credentials

GENESIS = "0" * 64
HEAD_KEY = "audit.head"
#: The head the provincial server last acknowledged: ``[position, entry id]``.
PUSHED_KEY = "audit.pushed"
KEYED = "audit.keyed"
SEALED = "audit.sealed"
#: Rows sealed per ``audit.sealed`` entry when an existing store is keyed.
SEAL_BATCH = 1000

#: The columns whose change a direct edit would matter most for (the citizen's record and the statutory
#: times); the rest of a row is not sealed. Each writer of these columns records the new digest.
DOSSIER_SEALED = (
    "id",
    "code",
    "applicant_id",
    "procedure_id",
    "status",
    "received_at",
    "due_at",
    "original_due_at",
    "handling_agency_eid",
    "finished_at",
    "returned_at",
    "fee_vnd",
    "channel",
)
APPLICANT_SEALED = ("id", "personal_id", "old_id", "full_name", "birth_date", "phone", "address")
_SEALED = {"dossier": DOSSIER_SEALED, "applicant": APPLICANT_SEALED}


def _canon(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _canon_moment(value: datetime) -> str:
    return value.isoformat(timespec="microseconds") if value.tzinfo is None else _canon(value)


#: :func:`_canon` by the exact type of the value, for the types a row holds (one dict look-up instead of
#: isinstance tests: this runs for every column sealed on every write). Any other type: :func:`_canon`.
_CANON_BY_TYPE: dict[type, Any] = {str: str, int: str, datetime: _canon_moment, date: date.isoformat}


def row_digest(kind: str, row: Any) -> str:
    """The digest of a dossier or applicant row (a mapping, an ORM object or a namespace) over its sealed
    columns: 24 hex digits (96 bits) of SHA-256 of their canonical text."""
    get = row.__getitem__ if isinstance(row, Mapping) else row.__getattribute__
    by_type = _CANON_BY_TYPE.get
    texts = []
    for c in _SEALED[kind]:
        value = get(c)
        texts.append(by_type(type(value), _canon)(value))
    body = "\x1f".join(texts)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:24]


def seal_of(rows: Iterable[tuple[str, Any]], outbox: Iterable[str] = ()) -> dict[str, Any]:
    """The ``seal`` of an entry: the digests of ``rows`` (``(kind, row)``) and the outbox event ids."""
    seal: dict[str, Any] = {"rows": {f"{kind}:{get_id(row)}": row_digest(kind, row) for kind, row in rows}}
    events = [str(e) for e in outbox]
    if events:
        seal["outbox"] = events
    return seal


def get_id(row: Any) -> str:
    return str(row["id"] if isinstance(row, Mapping) else row.id)


# --- the key ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainKey:
    key_id: str
    secret: bytes


#: The key of each open store, by database URL (read once per process, see :func:`_key_of`).
_KEYS: dict[str, ChainKey | None] = {}


def _keyring_ok() -> bool:
    return credentials.keyring_problem() is None


def _load_key(key_id: str) -> ChainKey | None:
    if not _keyring_ok():
        return None
    try:
        value = credentials.load_secret(f"audit-key:{key_id}")
    except credentials.KeyringUnavailable:
        return None
    return ChainKey(key_id, base64.b64decode(value)) if value else None


def _store_name(session: Session) -> str:
    return str(session.get_bind().engine.url)


def _marker(session: Session) -> tuple[int, str] | None:
    """The newest ``audit.keyed`` marker: its id and key id."""
    row = session.execute(
        select(AuditEntry.id, AuditEntry.details)
        .where(AuditEntry.action == KEYED)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    return (row[0], str(row[1].get("key_id", ""))) if row is not None else None


def _key_of(session: Session) -> ChainKey | None:
    name = _store_name(session)
    if name not in _KEYS:
        marker = _marker(session)
        _KEYS[name] = _load_key(marker[1]) if marker is not None else None
    return _KEYS[name]


def _folder_name(data_dir: Path) -> str:
    return f"audit-store:{data_dir.resolve()}"


def ensure_keyed(
    session: Session, data_dir: Path, actor: Actor | None = None, progress: Progress = no_progress
) -> None:
    """Key this store's chain if it is not (yet, or any more: its key is not in this keyring): verify the
    unkeyed part once, create the key, write the ``audit.keyed`` marker and seal every existing dossier,
    applicant and unsent outbox row. Does nothing without an OS keyring. In the caller's write
    transaction. ``progress`` hears :data:`Step.SEAL` (busy while the old chain is verified, then in rows
    sealed) when the chain is keyed."""
    name = _store_name(session)
    _KEYS.pop(name, None)
    if not _keyring_ok():
        return
    marker = _marker(session)
    key = _load_key(marker[1]) if marker is not None else None
    if key is None:
        progress(Step.SEAL, 0, 0)
        before = verify(session, rows=False)
        reason = before.reason
        known = _folder_key_id(data_dir)
        if marker is None and known:
            # This folder's store was keyed before, yet its chain has no keyed part: it was rewritten.
            reason = f"the chain has no keyed part although this folder's store was keyed (key {known})"
        key = ChainKey(uuid.uuid4().hex, secrets.token_bytes(32))
        credentials.save_secret(f"audit-key:{key.key_id}", base64.b64encode(key.secret).decode("ascii"))
        _KEYS[name] = key
        who = actor or Actor("motcua-desk", "")
        append(
            session,
            who,
            KEYED,
            "audit",
            key.key_id,
            {
                "key_id": key.key_id,
                "previous": {"entries": before.entries, "ok": not reason, "reason": reason},
                "rekeyed": marker is not None,
            },
        )
        _seal_existing(session, who, progress)
    _KEYS[name] = key
    # The folder's key id is remembered once the transaction that writes the marker has committed: saved
    # before, a crash between the two would leave a keyring that says "keyed" beside a store without its
    # marker, the very sign of a rewritten chain (a false alarm at every later check).
    folder, key_id = _folder_name(data_dir), key.key_id
    event.listen(session, "after_commit", lambda _s: credentials.save_secret(folder, key_id), once=True)


def _seal_existing(session: Session, actor: Actor, progress: Progress) -> None:
    unsent = list(session.scalars(select(OutboxEntry.event_id).where(OutboxEntry.state != "sent")))
    counts = [session.scalar(select(func.count()).select_from(e)) or 0 for e in (Applicant, Dossier)]
    total, done = sum(counts) + len(unsent), 0
    progress(Step.SEAL, 0, total)
    for kind, entity in (("applicant", Applicant), ("dossier", Dossier)):
        cols = [getattr(entity, c) for c in _SEALED[kind]]
        batch: list[tuple[str, Any]] = []
        for row in session.execute(select(*cols).order_by(entity.id)).mappings().yield_per(SEAL_BATCH):
            batch.append((kind, row))
            if len(batch) == SEAL_BATCH:
                append(session, actor, SEALED, kind, "", {"seal": seal_of(batch)})
                done += len(batch)
                progress(Step.SEAL, min(done, total), total)
                batch = []
        if batch:
            append(session, actor, SEALED, kind, "", {"seal": seal_of(batch)})
            done += len(batch)
    for i in range(0, len(unsent), SEAL_BATCH):
        append(session, actor, SEALED, "outbox", "", {"seal": seal_of((), unsent[i : i + SEAL_BATCH])})
    progress(Step.SEAL, total, total)


@dataclass(frozen=True)
class Actor:
    """Who does something, and where: recorded on every event and audit entry."""

    operator: str
    workstation: str


def _entry_body(
    at: datetime, actor: Actor, action: str, entity: str, entity_id: str, details: dict[str, Any]
) -> str:
    return canonical_json(
        {
            "at": at.isoformat(timespec="microseconds"),
            "operator": actor.operator,
            "workstation": actor.workstation,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "details": details,
        },
        default=str,
    )


def _entry_hash(
    prev_hash: str,
    at: datetime,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: str,
    details: dict[str, Any],
) -> str:
    """The unkeyed link of the chains written before the key (and of stores on a machine without one)."""
    body = _entry_body(at, actor, action, entity, entity_id, details)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _entry_mac(key: ChainKey, position: int, prev: str, body: str) -> str:
    return hmac.new(key.secret, f"{position}\x1e{prev}\x1e{body}".encode(), hashlib.sha256).hexdigest()


# Prepared once: building statements costs more than running them on this path (every use case).
_INSERT_ENTRY = RowInserter(table_of(AuditEntry))
_READ_HEAD = "SELECT value FROM settings WHERE key = ?"
_UPSERT_HEAD = (
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_COUNT = "SELECT count(*) FROM audit_entries"
_JSON = JSONText()


def _parse_head(value: Any) -> tuple[int | None, str]:
    """``[position, mac]`` (keyed) or a bare hash (written before positions were kept)."""
    if isinstance(value, list) and len(value) == 2:
        return int(value[0]), str(value[1])
    return None, str(value)


#: Values that come back from their JSON text as they are (``bool`` is an ``int`` but its own type here).
_JSON_SCALARS = frozenset({str, int, bool, type(None)})


def _as_stored(details: Mapping[str, Any]) -> dict[str, Any]:
    """``details`` as they will be read back: JSON values only (anything else as its ``str``, keys as
    text). A flat mapping of text keys and text, whole-number, boolean or null values is that already
    (a copy, the caller's is not changed); anything else goes through its canonical JSON text."""
    if all(type(k) is str and type(v) in _JSON_SCALARS for k, v in details.items()):
        return dict(details)
    parsed: dict[str, Any] = json.loads(canonical_json(details, default=str))
    return parsed


def append(
    session: Session,
    actor: Actor,
    action: str,
    entity: str = "",
    entity_id: str = "",
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
    *,
    rows: Iterable[tuple[str, Any]] = (),
    outbox: Iterable[str] = (),
) -> str:
    """Append an entry in the caller's transaction (which must be a write transaction); returns its MAC.

    ``rows`` (``("dossier" | "applicant", row)``, the row as it is after the change) and ``outbox`` (the
    event ids this change queued) are sealed into the entry (``details["seal"]``). Written at once on
    the session's connection (entries are ordered by id, so the chain follows the order of the calls
    whatever else the session flushes later)."""
    details = _as_stored(details or {})
    if rows or outbox:
        details["seal"] = seal_of(rows, outbox)
    at = at or datetime.now()
    conn = session.connection()
    # Read on the connection each time (not remembered in the session): a savepoint rolled back after an
    # entry (a pulled page applied change by change) takes the head back with it.
    row = execute(conn, _READ_HEAD, (HEAD_KEY,)).fetchone()
    position, prev = _parse_head(_JSON.process_result_value(row[0], None)) if row else (0, GENESIS)
    if position is None:  # the first entry after an upgrade: count once
        position = int(execute(conn, _COUNT, ()).fetchone()[0])
    position += 1
    key = _key_of(session)
    if key is None:
        digest = _entry_hash(prev, at, actor, action, entity, entity_id, details)
    else:
        digest = _entry_mac(key, position, prev, _entry_body(at, actor, action, entity, entity_id, details))
    _INSERT_ENTRY(
        conn,
        {
            "at": at,
            "operator_name": actor.operator,
            "workstation_name": actor.workstation,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "details": details,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    execute(conn, _UPSERT_HEAD, (HEAD_KEY, _JSON.process_bind_param([position, digest], None)))
    return digest


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # id of the first entry whose link does not verify
    reason: str
    #: Rows and outbox entries that do not match what the chain recorded (direct edits, deletions).
    findings: tuple[Problem, ...] = ()
    #: What weakens the check without being damage (no OS keyring).
    notes: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.reason and not self.findings


@dataclass
class _Walk:
    count: int = 0
    last_id: int = 0
    prev: str = GENESIS
    key: ChainKey | None = None
    keyed_from: int | None = None
    rows: dict[str, str] = field(default_factory=dict)
    outbox: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def verify(session: Session, *, rows: bool = True, data_dir: Path | None = None) -> ChainReport:
    """Walk the chain from its first entry: every link and MAC, the head; then (``rows``) every dossier
    and applicant row against the digest last recorded for it and every recorded outbox row."""
    w = _Walk()
    for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
        w.count += 1
        w.last_id = e.id
        if e.prev_hash != w.prev:
            return ChainReport(w.count, e.id, f"entry {e.id}: link to the previous entry is broken")
        actor = Actor(e.operator_name, e.workstation_name)
        if e.action == KEYED:
            key_id = str((e.details or {}).get("key_id", ""))
            key = _load_key(key_id)
            if key is None:
                if _keyring_ok():
                    w.problems.append(
                        Problem(
                            "audit.key_missing",
                            f"Các mục từ {e.id}: được khóa bằng khóa không có trong kho khóa của máy này "
                            "(khôi phục từ máy khác, hoặc kho khóa đã bị đặt lại): không kiểm chứng được.",
                            f"Entries from {e.id}: keyed with a key this machine's keyring does not hold "
                            "(restored from another PC, or the keyring was reset): they cannot be verified.",
                        )
                    )
                else:
                    w.notes.append(_NO_KEYRING)
            w.key, w.keyed_from = key, e.id
            previous = (e.details or {}).get("previous") or {}
            if previous.get("ok") is False:
                w.problems.append(
                    Problem(
                        "audit.before_keying",
                        f"Mục {e.id}: khi chuỗi được khóa, phần trước đó không kiểm chứng được: "
                        f"{previous.get('reason', '')}",
                        f"Entry {e.id}: when the chain was keyed, the part before it did not verify: "
                        f"{previous.get('reason', '')}",
                    )
                )
        seal = (e.details or {}).get("seal")
        if isinstance(seal, dict):  # rows are checked even where the MACs cannot be (naive edits)
            w.rows.update(seal.get("rows") or {})
            w.outbox.update(seal.get("outbox") or ())
        if w.keyed_from is not None and w.key is None:
            w.prev = e.hash  # a part whose key is missing: reported once above
            continue
        body = _entry_body(e.at, actor, e.action, e.entity, e.entity_id, e.details)
        if w.key is not None:
            expected = _entry_mac(w.key, w.count, w.prev, body)
        else:
            expected = hashlib.sha256((w.prev + body).encode("utf-8")).hexdigest()
        if expected != e.hash:
            what = (
                "content does not match its MAC" if w.key is not None else "content does not match its hash"
            )
            return ChainReport(w.count, e.id, f"entry {e.id}: {what}")
        w.prev = e.hash
    position, head = _parse_head(get_setting(session, HEAD_KEY, GENESIS))
    if head != w.prev or (position is not None and position != w.count):
        return ChainReport(w.count, None, "the newest entries are missing (chain head does not match)")
    notes = w.notes
    if w.keyed_from is None:
        expected_key = _folder_key_id(data_dir)
        if expected_key:
            return ChainReport(
                w.count,
                None,
                "the chain has no keyed part although this store's key exists: it was rewritten",
            )
        if w.count and rows and _keyring_ok():
            w.problems.append(
                Problem(
                    "audit.not_keyed",
                    "Chuỗi nhật ký chưa được khóa (mở cơ sở dữ liệu bằng motcua-desk để khóa).",
                    "The chain is not keyed (open the store with motcua-desk to key it).",
                )
            )
        elif not _keyring_ok():
            notes.append(_NO_KEYRING)
    elif data_dir is not None:
        expected_key = _folder_key_id(data_dir)
        newest = _marker(session)
        if expected_key and newest is not None and newest[1] != expected_key:
            w.problems.append(
                Problem(
                    "audit.other_key",
                    "Khóa của chuỗi nhật ký không phải khóa mà cơ sở dữ liệu của thư mục này đã dùng.",
                    "The chain's key is not the one this data folder's store was keyed with.",
                )
            )
    if rows:
        _check_rows(session, w)
    return ChainReport(w.count, None, "", tuple(w.problems), tuple(notes))


def _folder_key_id(data_dir: Path | None) -> str:
    if data_dir is None or not _keyring_ok():
        return ""
    try:
        return credentials.load_secret(_folder_name(data_dir)) or ""
    except credentials.KeyringUnavailable:
        return ""


_NO_KEYRING = Problem(
    "audit.no_keyring",
    "Máy này không có kho khóa của hệ điều hành: không kiểm chứng được khóa của chuỗi nhật ký "
    "(các bản ghi vẫn được đối chiếu).",
    "No OS keyring here: the audit chain's keys cannot be verified (the rows are still compared).",
)

#: At most this many rows of each kind are named in the report (the count says how many in all).
_NAMED = 20


def _check_rows(session: Session, w: _Walk) -> None:
    for kind, entity, label, label_vi in (
        ("dossier", Dossier, "dossier", "hồ sơ"),
        ("applicant", Applicant, "applicant", "người nộp"),
    ):
        cols = [getattr(entity, c) for c in _SEALED[kind]]
        changed: list[str] = []
        unrecorded: list[str] = []
        for row in session.execute(select(*cols)).mappings().yield_per(5000):
            ident = f"{kind}:{row['id']}"
            recorded = w.rows.get(ident)
            name = str(row.get("code") or row["id"])
            if recorded is None:
                unrecorded.append(name)
            elif recorded != row_digest(kind, row):
                changed.append(name)
        if changed:
            w.problems.append(
                Problem(
                    "audit.row_changed",
                    f"{len(changed)} {label_vi} bị sửa ngoài ứng dụng (khác với điều nhật ký đã ghi): "
                    f"{', '.join(changed[:_NAMED])}",
                    f"{len(changed)} {label} row(s) changed outside the app (not as the audit chain recorded "
                    f"them): {', '.join(changed[:_NAMED])}",
                )
            )
        if unrecorded and w.keyed_from is not None:
            w.problems.append(
                Problem(
                    "audit.row_unrecorded",
                    f"{len(unrecorded)} {label_vi} không có trong nhật ký (ghi ngoài ứng dụng, hoặc mục nhật "
                    f"ký của nó đã bị xóa): {', '.join(unrecorded[:_NAMED])}",
                    f"{len(unrecorded)} {label} row(s) not recorded in the audit chain (written outside the "
                    f"app or their entries removed): {', '.join(unrecorded[:_NAMED])}",
                )
            )
    if w.outbox:
        present = set(session.scalars(select(OutboxEntry.event_id)))
        lost = sorted(w.outbox - present)
        if lost:
            w.problems.append(
                Problem(
                    "audit.outbox_lost",
                    f"{len(lost)} sự kiện chờ gửi đã ghi trong nhật ký không còn trong hàng đợi (chưa "
                    f"bao giờ được gửi lên máy chủ): {', '.join(lost[:_NAMED])}",
                    f"{len(lost)} outbox event(s) recorded in the audit chain are missing from the outbox "
                    f"(never sent to the server): {', '.join(lost[:_NAMED])}",
                )
            )


# --- the head that travels with every push ---------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    position: int
    mac: str
    #: The head the server last acknowledged, as the chain has it now: position and that entry's MAC.
    anchor_position: int | None
    anchor_mac: str | None
    entry_id: int


def current_head(session: Session) -> Head | None:
    """The chain's head for a push, with the anchor the server checks it against; None if empty."""
    position, mac = _parse_head(get_setting(session, HEAD_KEY, GENESIS))
    if position is None or mac == GENESIS:
        return None
    entry_id = session.scalar(select(AuditEntry.id).where(AuditEntry.hash == mac))
    pushed = get_setting(session, PUSHED_KEY)
    anchor_position: int | None = None
    anchor_mac: str | None = None
    if isinstance(pushed, list) and len(pushed) == 2:
        anchor_position = int(pushed[0])
        anchor_mac = session.scalar(select(AuditEntry.hash).where(AuditEntry.id == int(pushed[1]))) or ""
    return Head(position, mac, anchor_position, anchor_mac, int(entry_id or 0))


def note_pushed(session: Session, head: Head) -> None:
    """The server acknowledged ``head``: the next push anchors on it."""
    set_setting(session, PUSHED_KEY, [head.position, head.entry_id])
