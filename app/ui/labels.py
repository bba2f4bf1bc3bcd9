"""Words the screens show for codes: statuses, actions, processing times, paper forms, scenarios, lists,
printed forms.

The rule is :mod:`app.domain.i18n`'s. A word whose Vietnamese-and-English pair already lives outside Qt
(a status or an action in :mod:`app.domain.status`, a processing time in :mod:`app.services.labels`) is
asked of its owner in the GUI's current language, never translated a second time. Words only the screens
show go through Qt's translation (English source, Vietnamese in the .ts). Either way the whole GUI
follows one language switch.

Kept in Qt although a pair exists elsewhere, because the two wordings differ and both are pinned: the
routing scenarios (the screens' "Xã, phường này giải quyết" is asserted by the GUI tests; the domain's
"Thẩm quyền của xã, phường" is what the command line prints) and money (:func:`app.ui.i18n.show_money`
says "đồng", :func:`app.services.labels.money` prints "đ" on the command line).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.domain.status import Action, Status
from app.services.labels import TIME_UNITS
from app.services.labels import time_label as services_time_label
from app.ui.i18n import current_language


def status_label(status: str) -> str:
    """A status's name in the GUI's language: the domain's pair (:class:`~app.domain.status.Status`)."""
    try:
        return Status(status).label(current_language())
    except ValueError:
        return status


def action_label(action: str) -> str:
    """An action's name in the GUI's language: the domain's pair (:class:`~app.domain.status.Action`)."""
    try:
        return Action(action).label(current_language())
    except ValueError:
        return action


def paper_form_label(form: str) -> str:
    labels = {
        "original": QCoreApplication.translate("Labels", "original"),
        "copy": QCoreApplication.translate("Labels", "copy"),
        "original_or_copy": QCoreApplication.translate("Labels", "original or copy"),
        "show": QCoreApplication.translate("Labels", "show the original"),
    }
    return labels.get(form, form)


def scenario_label(scenario: str) -> str:
    labels = {
        "a": QCoreApplication.translate("Labels", "Handled by this commune"),
        "b": QCoreApplication.translate("Labels", "Inter-level: forwarded to the province"),
        "c": QCoreApplication.translate("Labels", "Cross-boundary: forwarded to another commune"),
    }
    return labels.get(scenario, scenario)


def time_label(value: int, unit: str) -> str:
    """A processing time ("3 ngày làm việc", "trong ngày") in the GUI's language: the pair of
    :mod:`app.services.labels`, which the command line and the printed forms use too."""
    if unit not in TIME_UNITS:
        return str(value)
    return services_time_label(value, unit, current_language())


def list_label(kind: str) -> str:
    labels = {
        "today": QCoreApplication.translate("Labels", "Today"),
        "due_soon": QCoreApplication.translate("Labels", "Due soon"),
        "overdue": QCoreApplication.translate("Labels", "Overdue"),
        "supplement": QCoreApplication.translate("Labels", "Awaiting supplement"),
        "results": QCoreApplication.translate("Labels", "Results to hand back"),
        "forwarded_out": QCoreApplication.translate("Labels", "Forwarded out"),
        "forwarded_in": QCoreApplication.translate("Labels", "Forwarded in"),
        "to_forward": QCoreApplication.translate("Labels", "To forward"),
        "search": QCoreApplication.translate("Labels", "Search results"),
    }
    return labels.get(kind, kind)


def form_label(form: str) -> str:
    labels = {
        "receipt": QCoreApplication.translate("Labels", "Receipt"),
        "receipt-80mm": QCoreApplication.translate("Labels", "Receipt (80 mm)"),
        "supplement": QCoreApplication.translate("Labels", "Supplement request"),
        "refusal": QCoreApplication.translate("Labels", "Refusal slip"),
        "apology": QCoreApplication.translate("Labels", "Apology letter"),
        "stop": QCoreApplication.translate("Labels", "Stop notice"),
        "control": QCoreApplication.translate("Labels", "Control slip"),
        "logbook": QCoreApplication.translate("Labels", "Dossier logbook (Mẫu 07)"),
        "handover": QCoreApplication.translate("Labels", "Hand-over list"),
        "catalogue": QCoreApplication.translate("Labels", "Catalogue of procedures"),
    }
    return labels.get(form, form)


# The printed forms are Vietnamese whatever the window's language: so are the names their PDFs are saved as.
_FILE_NAMES = {
    "receipt": "giay-tiep-nhan",
    "receipt-80mm": "giay-tiep-nhan-80mm",
    "supplement": "phieu-yeu-cau-bo-sung",
    "refusal": "phieu-tu-choi-tiep-nhan",
    "apology": "phieu-xin-loi-hen-lai",
    "stop": "thong-bao-dung-giai-quyet",
    "control": "phieu-kiem-soat",
    "handover": "danh-sach-ban-giao",
    "logbook": "so-theo-doi-ho-so",
    "catalogue": "danh-muc-thu-tuc",
    "forward": "danh-sach-chuyen-ho-so",
}


def pdf_file_name(form: str, code: str | None) -> str:
    """The file a printed form is saved as: ``giay-tiep-nhan-<mã hồ sơ>.pdf`` and so on."""
    stem = _FILE_NAMES.get(form, form)
    return f"{stem}-{code}.pdf" if code else f"{stem}.pdf"


def gender_label(gender: str | None) -> str:
    if gender == "Nam":
        return QCoreApplication.translate("Labels", "Male")
    if gender == "Nữ":
        return QCoreApplication.translate("Labels", "Female")
    return ""


def delivery_label(delivery: str) -> str:
    return (
        QCoreApplication.translate("Labels", "By post")
        if delivery == "post"
        else QCoreApplication.translate("Labels", "At the counter")
    )
