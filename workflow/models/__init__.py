"""The workflow app's tables, one module per concern. Everything is re-exported here, so
`from workflow.models import Assignment` works wherever the model lives:

- units.py: `Unit`, `UnitMembership`, `OfficeMembership`
- assignments.py: `Assignment` (交办) with `AssignmentState` and `AssignmentQuerySet`
- decisions.py: `OfficeDecision` (`Decision`) with `TransferRequest` and `Extension`
- contacts.py: `Contact` (沟通), `Urge` (催办)
- audit.py: `TransitionLog`, `AuditCheck`
- health.py: `Heartbeat`
- deadline_rules.py: `DeadlineRule`, `CalendarDay`, `CalendarYear`
- reminders.py: `ReminderRung`, `Reminder`, `ReminderDigest`, `Notification`
- item_imports.py: `ItemImport` (`ItemImportState`)
- notices.py: `NoticePreference` (`NoticeChannel`, `NoticeMode`), `NoticeDigest`
- proposer_notices.py: `ProposerNotice` (the ledger of notices to proposers),
  `ProposerNoticeChoice` (`ProposerNoticeWay`, their 通知方式)
- filing.py: `FilingDraft` (`FilingDraftState`), `CoSignature` (`CoSignatureState`),
  `DraftAttachment`: a proposer's online filing (网上提交, 联名)

State changes happen only through `workflow.actions`; the transitions only set fields.
"""

from .assignments import (
    ANSWERED_STATES,
    HANDLING_STATES,
    OPEN_ASSIGNMENT_STATES,
    OPINION_OUTSTANDING_STATES,
    REPLYING_ROLES,
    Assignment,
    AssignmentQuerySet,
    AssignmentState,
)
from .audit import AppendOnlyQuerySet, AuditCheck, TransitionLog
from .contacts import Contact, Urge
from .deadline_rules import CalendarDay, CalendarYear, DeadlineRule
from .decisions import Decision, Extension, OfficeDecision, TransferRequest
from .filing import (
    EDITABLE_DRAFT_STATES,
    FILED_DRAFT_STATES,
    CoSignature,
    CoSignatureState,
    DraftAttachment,
    FilingDraft,
    FilingDraftState,
    draft_attachment_path,
)
from .health import Heartbeat
from .item_imports import ItemImport, ItemImportState, item_import_path
from .notices import DEFAULT_MODES, NoticeChannel, NoticeDigest, NoticeMode, NoticePreference
from .proposer_notices import (
    ProposerEvent,
    ProposerNotice,
    ProposerNoticeChoice,
    ProposerNoticeWay,
)
from .reminders import (
    Audience,
    DeadlineKind,
    LedgerRow,
    Notification,
    Reminder,
    ReminderDigest,
    ReminderQuerySet,
    ReminderRung,
)
from .units import OfficeMembership, Unit, UnitMembership

__all__ = [
    "ProposerEvent",
    "ProposerNotice",
    "ProposerNoticeChoice",
    "ProposerNoticeWay",
    "OPEN_ASSIGNMENT_STATES",
    "ANSWERED_STATES",
    "HANDLING_STATES",
    "OPINION_OUTSTANDING_STATES",
    "REPLYING_ROLES",
    "AppendOnlyQuerySet",
    "Assignment",
    "AssignmentQuerySet",
    "AssignmentState",
    "Audience",
    "AuditCheck",
    "CalendarDay",
    "CalendarYear",
    "Contact",
    "CoSignature",
    "CoSignatureState",
    "DraftAttachment",
    "EDITABLE_DRAFT_STATES",
    "FILED_DRAFT_STATES",
    "FilingDraft",
    "FilingDraftState",
    "draft_attachment_path",
    "DEFAULT_MODES",
    "DeadlineKind",
    "DeadlineRule",
    "Decision",
    "Extension",
    "Heartbeat",
    "LedgerRow",
    "ItemImport",
    "ItemImportState",
    "NoticeChannel",
    "NoticeDigest",
    "NoticeMode",
    "NoticePreference",
    "Notification",
    "OfficeDecision",
    "OfficeMembership",
    "Reminder",
    "ReminderDigest",
    "ReminderQuerySet",
    "ReminderRung",
    "TransferRequest",
    "TransitionLog",
    "Unit",
    "UnitMembership",
    "Urge",
    "item_import_path",  # named by migration 0005 as the upload path
]
