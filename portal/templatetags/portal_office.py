"""What the office's 提出人 card shows of the proposers' own door: a group's named contacts,
and a mobile registered for more than one identity (who signs in with it must choose)."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def door_of(signatories):
    """{proposer pk: {"contacts", "shared"}} for the item's proposers (selectors.shared_mobiles),
    in a constant number of queries."""
    return selectors.shared_mobiles(s.proposer for s in signatories)
