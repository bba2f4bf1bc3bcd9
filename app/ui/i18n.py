"""Translations: Vietnamese is the default language, English the second.

Source strings in the code are English (``tr("…")``); ``resources/i18n/motcua_vi.ts`` holds the
Vietnamese translation, compiled to ``motcua_vi.qm`` by ``make translations``.
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from app.paths import resources_dir

LANGUAGES = ("vi", "en")


def i18n_dir() -> str:
    return str(resources_dir() / "i18n")


def install_translators(app: QApplication, lang: str) -> list[QTranslator]:
    """Install our translation (and Qt's own, for standard buttons) for ``lang``; keep the result alive."""
    installed: list[QTranslator] = []
    for old in app.findChildren(QTranslator):
        app.removeTranslator(old)
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return installed
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    ours = QTranslator(app)
    if not ours.load("motcua_vi", i18n_dir()):
        raise FileNotFoundError(f"missing translation motcua_vi.qm in {i18n_dir()}")
    app.installTranslator(ours)
    installed.append(ours)
    qt = QTranslator(app)
    if qt.load("qtbase_vi", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    return installed
