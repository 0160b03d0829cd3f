"""The list of the app's verbs: the units' letters and the proposers' feedback (draft,
submit, return, sign, send, publish, rate) and the import of past letters.

Each verb is one transaction that locks its row, checks who acts and the rule, fires the
transition (or logs the write), and queues its side effects on commit; sending and rating
also advance the assignment and the item, whose states follow the letters (the lower apps
never look up here). One module per concern holds them; this package names every public
one, with the constants their callers share. A sent letter's files (`freeze`,
`refreeze_pdf`) and the import's worker step (`end_letter_import_if_stuck`) live below the
tasks that run them: responses/freezing.py and responses/letter_import_worker.py.
"""

from workflow.audit import ActionRefused

from ..freezing import freeze, refreeze_pdf
from ..letter_import_worker import end_letter_import_if_stuck
from .api_tokens import rotate_api_token
from .attachments import ATTACHMENT_LIMIT, attach_file
from .commitments import (
    add_commitment,
    confirm_commitment,
    decide_drop,
    mark_solved,
    note_progress,
    reject_commitment,
    report_commitment,
    request_drop,
    start_follow_up,
    suggest_commitments,
)
from .delivery import record_paper_delivery, resend_delivery
from .drafting import (
    LETTER_FIELDS,
    apply_template,
    save_letter,
    start_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from .feedback import close_without_feedback, record_feedback
from .numbering import allocate_doc_number
from .past_letters import (
    LettersRefused,
    import_letter,
    save_letter_import,
    start_letter_import,
)
from .publication import publish_letter, withdraw_publication
from .sending import send_letter, sign_and_send_letter
from .sign_off import return_letter, sign_letter

__all__ = [
    # drafting (拟稿 to 送审)
    "start_letter",
    "start_reply",
    "start_opinion",
    "save_letter",
    "apply_template",
    "attach_file",
    "submit_letter",
    # sign-off and sending
    "return_letter",
    "sign_letter",
    "send_letter",
    "sign_and_send_letter",
    "allocate_doc_number",
    "freeze",
    # delivery to the proposers (送达)
    "resend_delivery",
    "record_paper_delivery",
    "refreeze_pdf",
    # commitments (承诺事项) and follow-up replies (跟踪办理答复)
    "suggest_commitments",
    "add_commitment",
    "confirm_commitment",
    "reject_commitment",
    "note_progress",
    "request_drop",
    "decide_drop",
    "start_follow_up",
    "report_commitment",
    "mark_solved",
    # publication and feedback
    "publish_letter",
    "withdraw_publication",
    "record_feedback",
    "close_without_feedback",
    # past letters
    "start_letter_import",
    "end_letter_import_if_stuck",
    "import_letter",
    "save_letter_import",
    # accounts
    "rotate_api_token",
    # the refusal every verb may raise, and shared constants
    "ActionRefused",
    "LettersRefused",
    "LETTER_FIELDS",
    "ATTACHMENT_LIMIT",
]
