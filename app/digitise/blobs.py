"""The desk's content-addressed file store: ``<data folder>/files/ab/cdef…`` named by SHA-256.

A file is written to ``files/tmp/`` under a unique name, flushed with ``fsync``, then renamed to its
final name and the folder synced: a crash leaves either no file or the whole file, never a torn one
under a final name. The rows that reference a file are written *after* it is durable (in
``app.services.files``), so a crash between the two leaves an unreferenced file, which
:meth:`BlobStore.sweep` removes once it is older than a grace period (a file another process has just
written for a transaction still open is not yet old enough to be swept).

**Encrypted at rest** whenever the store is (issue 16 item 10, issue 19 item 4): a store with a key gives its
files a key too, and every file is written as ``MAGIC | version | nonce | AES-256-GCM(plaintext)`` (the
``cryptography`` package). The name stays the SHA-256 of the PLAINTEXT, so rows, events, page hashes and
the server are unchanged; the header and the name are the GCM's associated data (a file renamed to another
hash fails authentication). The files' key is derived from the store key with HKDF-SHA256 and the label
:data:`HKDF_INFO`, not a second keyring entry: one secret to keep, to export on paper (``db key export``) and
to import, and a store and its files can never be parted from each other's key. With no key (no keyring:
the store runs in clear, said loudly by app.services.storekey) files are written plain, as before.

Reading accepts both forms: an encrypted file is decrypted and authenticated, a plain one (an older
version's, a backup's copy, one left by a crash during the upgrade) is checked against its hash. Either
way the bytes returned have the SHA-256 of their name, or :class:`ValueError` says the file is damaged.
:meth:`BlobStore.encrypt_plain` converts an older store's plain files at the first start with a key:
encrypted copy under a temp name, fsync, rename over the plain file, then the plain bytes overwritten
(best effort, as for the store: see app.models.cipher) and removed.

No database here: the caller says which hashes are referenced.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.domain.digitise import is_sha256

log = logging.getLogger(__name__)

CHUNK = 1 << 20
#: Unreferenced files and temp files younger than this are left alone by the sweep.
SWEEP_GRACE_S = 3600.0
#: The first bytes of an encrypted file ("Một Cửa file, encrypted"); a PDF starts with ``%PDF``.
MAGIC = b"MCFENC"
VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + NONCE_BYTES
#: Bytes an encrypted file has beyond its plaintext.
OVERHEAD = HEADER_BYTES + TAG_BYTES
#: The HKDF label of the files' key (a new label, never a new use of this one, if the format changes).
HKDF_INFO = b"motcua-desk digitised files v1"
KEY_BYTES = 32
#: A plain file being replaced by its encrypted copy (``files/tmp/<hash>.plain-old``): wiped after the rename.
PLAIN_OLD = ".plain-old"
#: Written in ``files/`` once every plain file has been encrypted: later starts do not look again.
ENCRYPTED_MARK = ".encrypted-v1"


def files_dir(data_dir: Path) -> Path:
    return data_dir / "files"


def files_key(store_key: bytes) -> bytes:
    """The AES-256 key of the files, derived from the store key (HKDF-SHA256, label :data:`HKDF_INFO`)."""
    if len(store_key) != KEY_BYTES:
        raise ValueError("a store key has 32 bytes")
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=HKDF_INFO).derive(store_key)


def is_encrypted(head: bytes) -> bool:
    """Whether a file starting with ``head`` has the encrypted form's header (it may still be damaged)."""
    return head[: len(MAGIC) + 1] == MAGIC + bytes([VERSION])


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # Windows has no directory handles to sync
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _wipe(path: Path) -> None:
    """Overwrite a file with random bytes, make that durable, remove it (best effort: app.models.cipher)."""
    with contextlib.suppress(FileNotFoundError):
        size = path.stat().st_size
        # A read-only copy is removed without overwriting.
        with contextlib.suppress(PermissionError), path.open("r+b") as fh:
            left = size
            while left > 0:
                n = min(left, CHUNK)
                fh.write(secrets.token_bytes(n))
                left -= n
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int  # of the plaintext
    #: Written by this call (False: an intact copy was already there).
    new: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class FileFault:
    """A referenced file that is missing or whose content no longer has its hash."""

    sha256: str
    problem: str  # "missing" | "damaged"


@dataclass
class EncryptReport:
    """What :meth:`BlobStore.encrypt_plain` did."""

    encrypted: int = 0
    already: int = 0  # encrypted before
    damaged: list[str] = field(default_factory=list)  # plain files whose bytes do not have their hash: left


class BlobStore:
    def __init__(self, root: Path, key: bytes | None = None) -> None:
        """``key``: the STORE key (None: a store in clear, files written plain)."""
        self.root = root
        self._aead = AESGCM(files_key(key)) if key is not None else None

    @classmethod
    def of(cls, data_dir: Path, key: bytes | None) -> BlobStore:
        """The files of ``data_dir`` with its store's key (``Store.key``): a required argument, so that no
        caller can write a plain file into an encrypted store by forgetting it."""
        return cls(files_dir(data_dir), key)

    @property
    def encrypted(self) -> bool:
        return self._aead is not None

    def path(self, sha256: str) -> Path:
        """Where the file lives ON DISK (encrypted when the store is): never open it as the document; use
        :meth:`read`."""
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:]

    def _tmp(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp / f"{os.getpid()}-{secrets.token_hex(8)}.part"

    # -- the encrypted form --------------------------------------------------------------------------

    def seal(self, data: bytes, sha256: str) -> bytes:
        """The bytes to write for ``data`` (named ``sha256``): encrypted with a fresh nonce, or as is."""
        if self._aead is None:
            return data
        header = MAGIC + bytes([VERSION]) + secrets.token_bytes(NONCE_BYTES)
        return header + self._aead.encrypt(header[-NONCE_BYTES:], data, header + sha256.encode("ascii"))

    def decode(self, raw: bytes, sha256: str) -> bytes:
        """The plaintext of the bytes ``raw`` read from the file named ``sha256``, authenticated and checked
        against the name; ``ValueError`` when it is damaged (or encrypted and this store has no key)."""
        return self._open(raw, sha256)[0]

    def _open(self, raw: bytes, sha256: str) -> tuple[bytes, bool]:
        """(plaintext, whether ``raw`` was the encrypted form), or ``ValueError``."""
        if is_encrypted(raw) and len(raw) >= OVERHEAD:
            if self._aead is not None:
                header = raw[:HEADER_BYTES]
                try:
                    data = self._aead.decrypt(
                        header[-NONCE_BYTES:], raw[HEADER_BYTES:], header + sha256.encode("ascii")
                    )
                except InvalidTag:
                    data = None
                if data is not None and hashlib.sha256(data).hexdigest() == sha256:
                    return data, True
            elif hashlib.sha256(raw).hexdigest() != sha256:
                raise ValueError(f"file {sha256} is encrypted and this store has no key")
        if hashlib.sha256(raw).hexdigest() == sha256:  # a plain file (which may start like the header)
            return raw, False
        raise ValueError(f"file {sha256} is damaged")

    def _current_form(self, raw: bytes, sha256: str) -> bool:
        """Whether ``raw`` is an intact file in the form this store writes (encrypted with a key, else
        plain)."""
        try:
            _data, sealed = self._open(raw, sha256)
        except ValueError:
            return False
        return sealed == self.encrypted

    # -- writing -------------------------------------------------------------------------------------

    def _write(self, final: Path, payload: bytes, *, keep_old: bool = False) -> None:
        """``payload`` under ``final``: temp name, fsync, rename (over a file already there), fsync.

        ``keep_old``: the file being replaced is a plain one; it keeps a name (a hard link in ``tmp/``)
        until the encrypted copy is in place, then its bytes are overwritten and it is removed."""
        tmp = self._tmp()
        old = self.root / "tmp" / (final.parent.name + final.name + PLAIN_OLD)
        try:
            with tmp.open("wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            final.parent.mkdir(parents=True, exist_ok=True)
            if keep_old and final.exists():
                old.unlink(missing_ok=True)
                try:
                    os.link(final, old)  # the plain bytes keep a name until they are overwritten
                except OSError:  # no hard links (FAT, some shares): the old file is simply replaced
                    keep_old = False
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        _fsync_dir(self.root)
        if keep_old:
            _wipe(old)

    def put(self, data: bytes) -> Stored:
        """Store ``data`` durably under its hash (nothing written when an intact copy is already there in
        the form this store writes; a plain copy in an encrypted store is replaced by an encrypted one)."""
        digest = hashlib.sha256(data).hexdigest()
        final = self.path(digest)
        plain_there = False
        if final.is_file():
            try:
                raw = final.read_bytes()
            except OSError:
                raw = b""
            if self._current_form(raw, digest):
                # Young again: a sweep running now leaves it for the rows about to reference it.
                os.utime(final)
                return Stored(digest, len(data))
            plain_there = self.encrypted and raw == data
        self._write(final, self.seal(data, digest), keep_old=plain_there)
        return Stored(digest, len(data), new=True)

    def discard(self, sha256: str) -> None:
        """Remove a file no row references (the caller checked), e.g. one whose rows could not be
        committed: on a full disk its space is given back at once instead of after the sweep's grace."""
        path = self.path(sha256)
        path.unlink(missing_ok=True)
        _fsync_dir(path.parent)

    # -- reading -------------------------------------------------------------------------------------

    def read(self, sha256: str) -> bytes:
        """The file's plaintext, authenticated and checked against its name (``ValueError`` when they
        differ; ``OSError`` when it is missing)."""
        return self.decode(self.path(sha256).read_bytes(), sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def intact(self, path: Path, sha256: str) -> bool:
        """Whether the file at ``path`` (of this store or a copy, e.g. in a backup) gives the plaintext
        named ``sha256``."""
        try:
            self.decode(path.read_bytes(), sha256)
        except (OSError, ValueError):
            return False
        return True

    def stored(self) -> Iterator[tuple[str, Path]]:
        """Every file under a final name: (its name as a hash, path)."""
        if not self.root.is_dir():
            return
        for sub in self.root.iterdir():
            if len(sub.name) != 2 or not sub.is_dir():
                continue
            for f in sub.iterdir():
                name = sub.name + f.name
                if is_sha256(name):
                    yield name, f

    def verify(self, referenced: Iterable[str]) -> list[FileFault]:
        """Every referenced file present and giving the content its name promises (decrypted and
        authenticated when encrypted: a file that fails authentication is damaged)."""
        faults: list[FileFault] = []
        for digest in sorted(set(referenced)):
            p = self.path(digest)
            if not p.is_file():
                faults.append(FileFault(digest, "missing"))
            elif not self.intact(p, digest):
                faults.append(FileFault(digest, "damaged"))
        return faults

    # -- the upgrade ---------------------------------------------------------------------------------

    def finish_interrupted(self) -> None:
        """After a crash inside an encryption (:meth:`_write` with ``keep_old``): a plain copy left in
        ``tmp/`` is wiped when its file is in place, put back when (it cannot be, but never lose it) not."""
        tmp = self.root / "tmp"
        if not tmp.is_dir():
            return
        for old in tmp.glob("*" + PLAIN_OLD):
            name = old.name[: -len(PLAIN_OLD)]
            if not is_sha256(name):
                continue
            final = self.path(name)
            if final.is_file():
                _wipe(old)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(old, final)

    def encrypt_plain(self, progress: Callable[[int, int], None] | None = None) -> EncryptReport:
        """Encrypt every plain file of an older store (the first start with a key), one at a time, each
        crash-safe; a plain file whose bytes do not have its hash is left as it is (``db check`` names it).
        Once a pass has finished, :data:`ENCRYPTED_MARK` is written and later calls return at once (every
        later write is encrypted by :meth:`put`). A pass cut off by a crash is run again: files already
        encrypted are recognised by their header and not read. ``progress`` gets (files looked at, files)
        after each file."""
        report = EncryptReport()
        mark = self.root / ENCRYPTED_MARK
        if self._aead is None or mark.exists():
            return report
        self.finish_interrupted()
        stored = sorted(self.stored())
        for i, (digest, p) in enumerate(stored):
            if progress is not None:
                progress(i, len(stored))
            try:
                with p.open("rb") as fh:
                    if is_encrypted(fh.read(len(MAGIC) + 1)):
                        report.already += 1  # its authentication is db check's work, not every start's
                        continue
                raw = p.read_bytes()
            except OSError as exc:
                log.error("file %s not encrypted: %s", digest, exc)
                report.damaged.append(digest)
                continue
            if hashlib.sha256(raw).hexdigest() != digest:
                report.damaged.append(digest)
                continue
            self._write(p, self.seal(raw, digest), keep_old=True)
            report.encrypted += 1
        if progress is not None and stored:
            progress(len(stored), len(stored))
        self.root.mkdir(parents=True, exist_ok=True)
        with mark.open("w", encoding="utf-8") as fh:
            fh.write("digitised files encrypted at rest (AES-256-GCM, key from the store key)\n")
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(self.root)
        if report.encrypted or report.damaged:
            log.info(
                "files encrypted at rest: %d (%d already; %d damaged plain files left for db check)",
                report.encrypted,
                report.already,
                len(report.damaged),
            )
        return report

    def sweep(self, referenced: Iterable[str], grace_s: float = SWEEP_GRACE_S) -> list[str]:
        """Remove temp files and unreferenced files older than ``grace_s``; returns what was removed."""
        keep = set(referenced)
        cutoff = time.time() - grace_s
        removed: list[str] = []
        tmp = self.root / "tmp"
        if tmp.is_dir():
            for f in tmp.iterdir():
                if f.stat().st_mtime < cutoff:
                    if f.name.endswith(PLAIN_OLD):  # a plain copy an upgrade left: overwritten first
                        _wipe(f)
                    f.unlink(missing_ok=True)
                    removed.append(str(f))
        for digest, p in list(self.stored()):
            if digest not in keep and p.stat().st_mtime < cutoff:
                p.unlink(missing_ok=True)
                removed.append(digest)
        return removed
