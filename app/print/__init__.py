"""Printed one-stop forms as PDF bytes (ReportLab). Knows nothing of Qt or the database.

Usage: build a data class from :mod:`app.print.model` and call a form function, or
``render("receipt", data)``. See :mod:`app.print.forms` for the list.
"""

from __future__ import annotations

from app.print.forms import (
    FORM_NAMES,
    apology,
    catalogue_list,
    control_slip,
    handover_list,
    logbook_pdf,
    logbook_xlsx,
    lookup_address,
    receipt_80mm,
    receipt_a4,
    refusal,
    render,
    stop_notice,
    supplement_request,
)

__all__ = [
    "FORM_NAMES",
    "apology",
    "catalogue_list",
    "control_slip",
    "handover_list",
    "logbook_pdf",
    "logbook_xlsx",
    "lookup_address",
    "receipt_80mm",
    "receipt_a4",
    "refusal",
    "render",
    "stop_notice",
    "supplement_request",
]
