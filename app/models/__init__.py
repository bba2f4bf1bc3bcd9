"""Local store: typed ORM, engine set-up and migrations."""

from app.models.base import Base
from app.models.entities import (
    AdminUnit,
    Applicant,
    AuditEntry,
    Centre,
    Dossier,
    DossierEvent,
    HolidayOverride,
    NumberLease,
    Operator,
    OutboxEntry,
    PrintedDocument,
    Procedure,
    ProcedurePaper,
    ReferenceVersion,
    Setting,
    UnitSuccession,
    Workstation,
)

__all__ = [
    "AdminUnit",
    "Applicant",
    "AuditEntry",
    "Base",
    "Centre",
    "Dossier",
    "DossierEvent",
    "HolidayOverride",
    "NumberLease",
    "Operator",
    "OutboxEntry",
    "PrintedDocument",
    "Procedure",
    "ProcedurePaper",
    "ReferenceVersion",
    "Setting",
    "UnitSuccession",
    "Workstation",
]
