"""Every printable form, and :func:`render` to print one by name.

Each function takes one of the data classes of :mod:`app.print.model` and returns PDF bytes (A4 unless
said otherwise), with the fonts embedded, every string NFC-normalised and ``invariant=1``: the same input
gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.print.codes import lookup_address
from app.print.model import (
    ApologyData,
    CatalogueListData,
    ControlSlipData,
    HandoverListData,
    LogbookData,
    ReceiptData,
    RefusalData,
    StopData,
    SupplementData,
)
from app.print.notices import apology, refusal, stop_notice, supplement_request
from app.print.receipt import receipt_80mm, receipt_a4
from app.print.registers import catalogue_list, control_slip, handover_list, logbook_pdf
from app.print.xlsx import logbook_xlsx

#: form name → (function, the data class it takes)
FORMS: dict[str, tuple[Callable[[Any], bytes], type]] = {
    "receipt": (receipt_a4, ReceiptData),
    "receipt-80mm": (receipt_80mm, ReceiptData),
    "supplement": (supplement_request, SupplementData),
    "refusal": (refusal, RefusalData),
    "apology": (apology, ApologyData),
    "stop": (stop_notice, StopData),
    "control": (control_slip, ControlSlipData),
    "handover": (handover_list, HandoverListData),
    "logbook": (logbook_pdf, LogbookData),
    "catalogue": (catalogue_list, CatalogueListData),
}

FORM_NAMES: tuple[str, ...] = tuple(FORMS)


def render(form_name: str, data: Any) -> bytes:
    """The PDF of form ``form_name`` (one of :data:`FORM_NAMES`) for ``data``.

    Raises ``KeyError`` for an unknown name and ``TypeError`` when ``data`` is not the form's data class.
    """
    try:
        func, kind = FORMS[form_name]
    except KeyError:
        raise KeyError(f"unknown form {form_name!r}; known: {', '.join(FORM_NAMES)}") from None
    if not isinstance(data, kind):
        raise TypeError(f"form {form_name!r} needs {kind.__name__}, got {type(data).__name__}")
    return func(data)


__all__ = [
    "FORMS",
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
