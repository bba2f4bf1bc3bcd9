"""Backups in the GUI: the daily backup once the window is open and File › Back up now, both on a lane of
their own (a large database takes seconds to copy: the operator's work on the database worker does not
wait for it), and, at start-up, the offer to restore the latest sound backup of a damaged database."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox

from app.domain.errors import DomainError, Problem
from app.services import backup
from app.services.backup import BackupFile
from app.services.store import Store
from app.ui.i18n import fmt
from app.ui.lanes.worker import OnDone, OnError, Worker

log = logging.getLogger(__name__)


class BackupController(QObject):
    """Takes the backups of one main window's store, off the GUI thread and off the database worker."""

    def __init__(self, store: Store, data_dir: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.data_dir = data_dir
        self.lane = Worker(self)
        #: The daily backup taken by :meth:`daily` (None until taken, or when today's already existed).
        self.last_daily: Path | None = None

    def daily(self) -> None:
        """Today's backup if there is none yet, and the old ones pruned (see ``backup.daily_backup``)."""
        if self.data_dir is None:
            return
        self.lane.run(
            backup.daily_backup,
            self.store,
            self.data_dir,
            on_done=self._daily_done,
            on_error=self._daily_failed,
            owner=self,
        )

    def _daily_done(self, path: object) -> None:
        if isinstance(path, Path):
            self.last_daily = path
            log.info("daily backup taken: %s", path)

    @staticmethod
    def _daily_failed(exc: BaseException) -> None:
        # Not worth interrupting the operator: the log says why, and the next start tries again.
        log.error("daily backup failed: %s", exc)

    def backup_now(self, *, on_done: OnDone, on_error: OnError, owner: QObject | None = None) -> bool:
        """A manual backup; ``on_done`` receives its path. False when this window has no data folder."""
        if self.data_dir is None:
            return False
        self.lane.run(
            backup.backup_now,
            self.store,
            self.data_dir,
            "manual",
            on_done=on_done,
            on_error=on_error,
            owner=owner,
        )
        return True

    def close(self) -> None:
        self.lane.close()


# --- a damaged database at start-up -----------------------------------------------------------------------


def latest_sound_backup(data_dir: Path) -> BackupFile | None:
    """The newest backup that reads back as a sound database of a schema this app knows (never a
    ``replaced`` file: that is a database taken out of service)."""
    for b in backup.list_backups(data_dir):
        if b.kind != "replaced" and not backup.check_file(b.path, data_dir=data_dir):
            return b
    return None


def ask_restore(problem: Problem, candidate: BackupFile, lang: str) -> bool:
    """Ask whether to restore ``candidate`` (before the event loop runs, so a modal question)."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        QCoreApplication.translate("Startup", "Database damaged"),
        fmt(
            QCoreApplication.translate(
                "Startup", "The database is damaged and cannot be opened.\n\nRestore the backup of %1?"
            ),
            candidate.taken_at.strftime("%H:%M %d/%m/%Y"),
        ),
    )
    box.setObjectName("restoreOffer")
    box.setInformativeText(
        QCoreApplication.translate(
            "Startup",
            "The damaged file is kept in the backups folder. What was synced with the provincial server "
            "after the backup comes back at the next sync; what was not synced is not in the backup.",
        )
    )
    box.setDetailedText(f"{problem.message(lang)}\n\n{candidate.path}")
    restore = box.addButton(
        QCoreApplication.translate("Startup", "&Restore"), QMessageBox.ButtonRole.AcceptRole
    )
    restore.setObjectName("restoreButton")
    quit_button = box.addButton(
        QCoreApplication.translate("Startup", "&Quit"), QMessageBox.ButtonRole.RejectRole
    )
    quit_button.setObjectName("quitButton")
    box.setDefaultButton(restore)
    box.setEscapeButton(quit_button)
    box.exec()
    return box.clickedButton() is restore


def offer_restore(problem: Problem, data_dir: Path, lang: str) -> str:
    """After ``open_store`` found the database damaged: offer the latest sound backup and restore it.

    Returns ``"restored"`` (start again), ``"declined"`` (the operator chose Quit) or ``"none"`` (no
    sound backup: the caller shows the fatal problem). The damaged file is moved into the backups folder
    by ``backup.restore``, never deleted.
    """
    candidate = latest_sound_backup(data_dir)
    if candidate is None:
        return "none"
    if not ask_restore(problem, candidate, lang):
        log.info("restore of %s declined", candidate.path)
        return "declined"
    try:
        kept = backup.restore(data_dir, candidate.path)
    except (DomainError, OSError) as exc:
        log.error("restore from %s failed: %s", candidate.path, exc)
        return "none"
    log.warning("database restored from %s; the damaged file is kept at %s", candidate.path, kept)
    return "restored"
