"""承诺事项's states and the sets the rules ask (responses/models/commitments.py): apart, so that
the letters' module (a reply's sign-off blockers) and the commitments' module both import them
without importing each other."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitmentState(models.TextChoices):
    CANDIDATE = "candidate", _("待确认")
    OPEN = "open", _("落实中")
    DELIVERED = "delivered", _("已落实")
    PARTLY = "partly", _("部分落实")
    DROP_REQUESTED = "drop_requested", _("申请撤销")
    DROPPED = "dropped", _("已撤销")


# Bound to the reply once confirmed: tracked (when the reply is sent) until closed.
STANDING_STATES = frozenset(
    {CommitmentState.OPEN, CommitmentState.PARTLY, CommitmentState.DROP_REQUESTED}
)
# A follow-up reply may report these (a partly delivered one may be reported again).
REPORTABLE_STATES = frozenset({CommitmentState.OPEN, CommitmentState.PARTLY})
CLOSED_STATES = frozenset({CommitmentState.DELIVERED, CommitmentState.DROPPED})
CONFIRMED_STATES = STANDING_STATES | CLOSED_STATES
