"""Signing a test client in as a proposer, as the proposer's door does (portal.signin)."""

from django.db import transaction

from portal.actions.accounts import account_for
from portal.selectors import Signer
from portal.signin import SESSION_KEY


def as_proposer(client, proposer, contact=None):
    with transaction.atomic():
        user = account_for(Signer(proposer, contact))
    client.force_login(user, backend="workflow.auth.Backend")
    session = client.session
    session[SESSION_KEY] = True
    session.save()
    return user
