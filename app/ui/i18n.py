"""Translations: Vietnamese is the default language, English the second.

Source strings in the code are English (``tr("…")``); ``resources/i18n/motcua_vi.ts`` holds the
Vietnamese translation, compiled to ``motcua_vi.qm`` by ``make translations``. Messages that come from
services (:class:`~app.domain.errors.Problem`) carry both languages and are shown with :func:`message`.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from app.domain.errors import Problem
from app.paths import resources_dir

# The language the window was last shown in, in the data folder: the first window is shown in it before
# the store (which holds the saved choice) is open, so an English desk does not flash Vietnamese. (A
# plain comment: lupdate would take a "#:" one as a translator's note for the next string here.)
LANGUAGE_HINT = "ui-language"

_current = "vi"


def i18n_dir() -> str:
    return str(resources_dir() / "i18n")


def current_language() -> str:
    """The language the GUI shows now: "vi" or "en"."""
    return _current


def install_translators(app: QApplication, lang: str) -> list[QTranslator]:
    """Install our translation (and Qt's own, for standard buttons) for ``lang``; keep the result alive."""
    global _current
    installed: list[QTranslator] = []
    for old in app.findChildren(QTranslator):
        app.removeTranslator(old)
        old.deleteLater()
    _current = "en" if lang == "en" else "vi"
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return installed
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    ours = QTranslator(app)
    if not ours.load("motcua_vi", i18n_dir()):
        raise FileNotFoundError(f"missing translation motcua_vi.qm in {i18n_dir()}")
    app.installTranslator(ours)
    installed.append(ours)
    # Qt's own strings (Cancel, Save, the file dialog): Qt's Vietnamese if this Qt ships one, else ours
    # (resources/i18n/qtbase_vi.ts: PySide6's wheels carry no qtbase_vi.qm).
    qt = QTranslator(app)
    if qt.load("qtbase_vi", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)) or qt.load(
        "qtbase_vi", i18n_dir()
    ):
        app.installTranslator(qt)
        installed.append(qt)
    return installed


def language_hint(data_dir: Path) -> str:
    """The language the window was last shown in ("vi" when none was noted)."""
    try:
        text = (data_dir / LANGUAGE_HINT).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return "vi"
    return "en" if text == "en" else "vi"


def remember_language(data_dir: Path, lang: str) -> None:
    """Note the language shown, for the next start's first window (best effort)."""
    if language_hint(data_dir) == lang:
        return
    with contextlib.suppress(OSError):
        (data_dir / LANGUAGE_HINT).write_text(lang, encoding="ascii")


def message(problem: Problem) -> str:
    """A service's problem in the operator's language."""
    return problem.message(_current)


def fmt(template: str, *args: object) -> str:
    """Fill Qt-style ``%1`` … ``%9`` placeholders of a translated template (highest number first)."""
    out = template
    for i in range(len(args), 0, -1):
        out = out.replace(f"%{i}", str(args[i - 1]))
    return out


def show_date(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def show_datetime(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%H:%M %d/%m/%Y")


def show_money(vnd: int) -> str:
    if vnd == 0:
        return QCoreApplication.translate("Money", "free")
    return fmt(QCoreApplication.translate("Money", "%1 VND"), f"{vnd:,}".replace(",", "."))
