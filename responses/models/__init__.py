"""The responses app's tables, one module per concern. Everything is re-exported here, so
`from responses.models import Reply` works wherever the model lives:

- letters.py: `Letter` (`LetterState`, `EDITABLE_STATES`, `QUEUED_STATES`, `SENT_STATES`),
  `LetterQuerySet`, `Reply` (答复函), `Opinion` (会办意见函)
- feedback.py: `Feedback` (`Rating`)
- drafting.py: `ReferenceDocument`, `LetterTemplate`
- numbering.py: `DocumentCounter`
- letter_files.py: `LetterRevision`, `Attachment`, `LetterFile`
- letter_imports.py: `LetterImport` (`LetterImportState`)
- certificates.py: `SigningCertificate`
- commitments.py: `Commitment` (`CommitmentState`, `DueKind`, `Outcome`), `CommitmentNote`,
  `CommitmentReport` (what each follow-up reply reported of it), `CommitmentReminder` (the
  ledger of its reminders), `LookBack` (回头看): what a 正在解决/计划解决 reply promises,
  tracked until delivered
- deliveries.py: `Delivery` (`DeliveryState`, `REACHED_STATES`, `ELECTRONIC_CHANNELS`,
  `MAX_ATTEMPTS`), how a sent reply reaches each proposer

Who may fire the leader's letter transitions is in responses/permissions.py.
"""

from .certificates import SigningCertificate
from .commitments import (
    Commitment,
    CommitmentNote,
    CommitmentReminder,
    CommitmentReport,
    CommitmentState,
    DueKind,
    LookBack,
    Outcome,
)
from .deliveries import (
    ELECTRONIC_CHANNELS,
    MAX_ATTEMPTS,
    REACHED_STATES,
    Delivery,
    DeliveryState,
)
from .drafting import LetterTemplate, ReferenceDocument
from .feedback import Feedback, Rating
from .letter_files import Attachment, LetterFile, LetterRevision, attachment_path
from .letter_imports import LetterImport, LetterImportState
from .letters import (
    EDITABLE_LETTER_STATES,
    EDITABLE_STATES,
    PUBLISHED_DISCLOSURES,
    QUEUED_STATES,
    RESULT_AND_DISCLOSURE_FIELDS,
    SENT_STATES,
    Disclosure,
    Letter,
    LetterQuerySet,
    LetterState,
    Opinion,
    Reply,
    WithholdingReason,
    handled_by,
)
from .numbering import DocumentCounter

__all__ = [
    "ELECTRONIC_CHANNELS",
    "MAX_ATTEMPTS",
    "REACHED_STATES",
    "Commitment",
    "CommitmentNote",
    "CommitmentReminder",
    "CommitmentReport",
    "CommitmentState",
    "Delivery",
    "DueKind",
    "LookBack",
    "Outcome",
    "DeliveryState",
    "EDITABLE_LETTER_STATES",
    "EDITABLE_STATES",
    "PUBLISHED_DISCLOSURES",
    "QUEUED_STATES",
    "RESULT_AND_DISCLOSURE_FIELDS",
    "SENT_STATES",
    "Attachment",
    "Disclosure",
    "DocumentCounter",
    "Feedback",
    "Letter",
    "LetterFile",
    "LetterImport",
    "LetterImportState",
    "LetterQuerySet",
    "LetterRevision",
    "LetterState",
    "LetterTemplate",
    "Opinion",
    "Rating",
    "ReferenceDocument",
    "Reply",
    "SigningCertificate",
    "WithholdingReason",
    "attachment_path",  # named by migration 0002 as the upload path
    "handled_by",
]
