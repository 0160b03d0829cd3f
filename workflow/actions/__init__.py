"""The list of the app's verbs: the proposal office's and the units' writes (intake, review,
交办, 签收, transfers, extensions, contacts, 催办, deadlines, memberships, notice settings, the
Excel import).

Each verb is one transaction that locks its row, checks who acts and the rule, fires the
transition (or logs the write), and queues its side effects on commit. One module per
concern holds them; this package names every public one, with the checks and constants
their callers share. `import_items` and the import's worker steps live below the tasks
that run them (workflow/item_import_worker.py); `require_office` / `require_unit_member` in
workflow/permissions.py.
"""

from ..audit import ActionRefused
from ..item_import_worker import end_item_import_if_stuck, import_items
from ..permissions import require_office, require_unit_member
from ..proposer_contacts import ProposerEntry, contact_problems
from .assignment import accept_assignment, assign_proposal, request_transfer
from .contacts import record_contact, urge
from .decisions import decide_extension, decide_transfer, request_extension
from .filing import (
    COSIGN_DAYS,
    answer_cosignature,
    ask_cosigners,
    attach_to_draft,
    confirmed_signers,
    edit_draft,
    require_lead,
    require_open,
    resubmit_draft,
    start_draft,
    submit_draft,
    withdraw_draft,
)
from .intake import (
    CORRECTABLE_FIELDS,
    convert_proposal,
    correct_proposal,
    file_proposal,
    merge_proposal,
    receive_proposal,
    reject_proposal,
    return_proposal,
    start_review,
)
from .item_imports import confirm_item_import, start_item_import
from .memberships import OFFICE_GROUP, add_office_member, add_unit_member, office_permissions
from .preferences import choose_proposer_notice_way, set_notice_preferences
from .proposers import merge_proposers, update_proposer_contacts
from .recompute import recompute_deadlines

__all__ = [
    # intake and review
    "receive_proposal",
    "correct_proposal",
    "start_review",
    "file_proposal",
    "reject_proposal",
    "merge_proposal",
    "return_proposal",
    "convert_proposal",
    # 网上提交: a proposer's own draft, its co-signers, its submission
    "start_draft",
    "edit_draft",
    "attach_to_draft",
    "ask_cosigners",
    "answer_cosignature",
    "submit_draft",
    "resubmit_draft",
    "withdraw_draft",
    "confirmed_signers",
    "require_lead",
    "require_open",
    "COSIGN_DAYS",
    # proposers: their contacts, duplicates merged
    "update_proposer_contacts",
    "merge_proposers",
    # 交办, 签收, transfers and extensions
    "assign_proposal",
    "accept_assignment",
    "request_transfer",
    "decide_transfer",
    "request_extension",
    "decide_extension",
    # contacts, 催办, deadlines
    "record_contact",
    "urge",
    "recompute_deadlines",
    # who works where
    "add_office_member",
    "add_unit_member",
    "office_permissions",
    # a person's own choices
    "set_notice_preferences",
    "choose_proposer_notice_way",
    # Excel intake
    "start_item_import",
    "confirm_item_import",
    "import_items",
    "end_item_import_if_stuck",
    # the refusal every verb may raise, the checks every verb asks first, shared constants
    "ActionRefused",
    "require_office",
    "require_unit_member",
    "CORRECTABLE_FIELDS",
    "OFFICE_GROUP",
    "ProposerEntry",
    "contact_problems",
]
