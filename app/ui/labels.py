"""Words the screens show for codes: statuses, actions, paper forms, scenarios, lists, printed forms.

Every label goes through Qt's translation (English source, Vietnamese in the .ts) so the whole GUI
follows one language switch.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.ui.i18n import fmt


def status_label(status: str) -> str:
    labels = {
        "new": QCoreApplication.translate("Labels", "Newly submitted"),
        "received": QCoreApplication.translate("Labels", "Received"),
        "refused": QCoreApplication.translate("Labels", "Refused at intake"),
        "in_process": QCoreApplication.translate("Labels", "In process"),
        "supplement_requested": QCoreApplication.translate("Labels", "Waiting for a supplement"),
        "fees_requested": QCoreApplication.translate("Labels", "Waiting for fees or taxes"),
        "withdrawn": QCoreApplication.translate("Labels", "Withdrawn"),
        "stopped": QCoreApplication.translate("Labels", "Processing stopped"),
        "result_ready": QCoreApplication.translate("Labels", "Result ready"),
        "returned": QCoreApplication.translate("Labels", "Result handed back"),
    }
    return labels.get(status, status)


def action_label(action: str) -> str:
    labels = {
        "submit_online": QCoreApplication.translate("Labels", "Submit online"),
        "receive": QCoreApplication.translate("Labels", "Receive the dossier"),
        "refuse": QCoreApplication.translate("Labels", "Refuse at intake"),
        "start_processing": QCoreApplication.translate("Labels", "Start processing"),
        "forward": QCoreApplication.translate("Labels", "Forward to the handling agency"),
        "request_supplement": QCoreApplication.translate("Labels", "Request a supplement"),
        "supplement_received": QCoreApplication.translate("Labels", "Record the supplement"),
        "request_fees": QCoreApplication.translate("Labels", "Request fees or taxes"),
        "fees_paid": QCoreApplication.translate("Labels", "Record fees paid"),
        "withdraw": QCoreApplication.translate("Labels", "Withdraw the dossier"),
        "stop": QCoreApplication.translate("Labels", "Stop processing"),
        "result_ready": QCoreApplication.translate("Labels", "Record the result"),
        "hand_back": QCoreApplication.translate("Labels", "Hand back the result"),
        "apologise": QCoreApplication.translate("Labels", "Apologise and set a new due date"),
        "transfer": QCoreApplication.translate("Labels", "Transfer after reorganisation"),
    }
    return labels.get(action, action)


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
    if unit == "same_day":
        return QCoreApplication.translate("Labels", "same day")
    templates = {
        "working_days": QCoreApplication.translate("Labels", "%1 working days"),
        "working_hours": QCoreApplication.translate("Labels", "%1 working hours"),
        "calendar_days": QCoreApplication.translate("Labels", "%1 days"),
    }
    return fmt(templates.get(unit, "%1"), value)


def list_label(kind: str) -> str:
    labels = {
        "today": QCoreApplication.translate("Labels", "Today"),
        "due_soon": QCoreApplication.translate("Labels", "Due soon"),
        "overdue": QCoreApplication.translate("Labels", "Overdue"),
        "supplement": QCoreApplication.translate("Labels", "Awaiting supplement"),
        "results": QCoreApplication.translate("Labels", "Results to hand back"),
        "forwarded_out": QCoreApplication.translate("Labels", "Forwarded out"),
        "forwarded_in": QCoreApplication.translate("Labels", "Forwarded in"),
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
    }
    return labels.get(form, form)


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
