"""How a letter names its proposers and its item: the addressee line of a new reply, and the
placeholders a unit's templates use (【称谓】, 【类别】 …), so that one template serves a 提案
and a 建议 alike.

A template's placeholders are filled in one pass over its text: each 【name】 is looked up
once and replaced by its value; a value is never searched again (an item's title containing
"【办理单位】" stays as written), and nothing of the clerk's text is interpreted as a format
string. A name that is not a placeholder stays visible in the draft, where the clerk sees
it; templates are refused at save when they use one (LetterTemplate.clean), so a typo is
caught where it is made rather than in a letter.
"""

import re

from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal

# At most this many names head a reply to several proposers; with more, the first ones and
# 等 (seed 000: "章毅、张远波、朱军红等委员"). The pre-flight check asks for the same three.
NAMES_IN_ADDRESSEE = 3

FORM_OF_ADDRESS = {Proposal.Kind.PROPOSAL: "委员", Proposal.Kind.SUGGESTION: "代表"}
KIND_WORD = {Proposal.Kind.PROPOSAL: "提案", Proposal.Kind.SUGGESTION: "建议"}


def ordered_proposers(proposal):
    """The item's proposers, the lead (领衔人) first."""
    return [s.proposer for s in proposal.signatories.select_related("proposer")]


def addressee_for(proposal):
    """The salutation of a reply: "文彬代表", "章毅、张远波委员", "章毅、张远波、朱军红等委员"
    (more than three), or a group's name (党派, 界别, 专委会) when a group leads the item."""
    proposers = ordered_proposers(proposal)
    if not proposers:
        return ""
    lead_is_person = proposers[0].is_person
    names = [p.name for p in proposers if p.is_person == lead_is_person]
    listed = "、".join(names[:NAMES_IN_ADDRESSEE])
    more = "等" if len(names) > NAMES_IN_ADDRESSEE else ""
    return f"{listed}{more}{FORM_OF_ADDRESS[proposal.kind] if lead_is_person else ''}"


def form_of_address(proposal):
    """委员 for a CPPCC proposal's members, 代表 for an NPC suggestion's deputies; nothing
    when a group leads the item (its name is the whole address)."""
    lead = proposal.signatories.select_related("proposer").first()
    if lead is not None and not lead.proposer.is_person:
        return ""
    return FORM_OF_ADDRESS[proposal.kind]


def you(proposal):
    """您 to one member or deputy, 你们 to several or to a group (seeds 000, 002, 004)."""
    proposers = ordered_proposers(proposal)
    return "您" if len(proposers) == 1 and proposers[0].is_person else "你们"


def _proposal(letter):
    return letter.assignment.proposal


# name → (what the clerk reads it stands for, its value in a letter). The one list the
# filling, the template's validation and the admin's help all read.
PLACEHOLDERS = {
    "主送": (
        _("本函的主送，如“章毅、张远波委员”“文彬代表”"),
        lambda letter: letter.addressee,
    ),
    "提出人": (
        _("全部提出人姓名（或党派、团体名称），以“、”分隔"),
        lambda letter: "、".join(p.name for p in ordered_proposers(_proposal(letter))),
    ),
    "称谓": (
        _("提案为“委员”，建议为“代表”；党派、团体领衔的为空"),
        lambda letter: form_of_address(_proposal(letter)),
    ),
    "您": (
        _("一位提出人为“您”，多位提出人或党派、团体为“你们”"),
        lambda letter: you(_proposal(letter)),
    ),
    "类别": (
        _("“提案”或“建议”"),
        lambda letter: KIND_WORD[_proposal(letter).kind],
    ),
    "届次会议": (
        _("届次会议，如“市政协十四届二次会议”"),
        lambda letter: str(_proposal(letter).session),
    ),
    "案号": (_("案号，如“1136”"), lambda letter: _proposal(letter).number),
    "案由": (_("建议提案的标题"), lambda letter: _proposal(letter).title),
    "办理单位": (_("本单位名称"), lambda letter: letter.assignment.unit.name),
}

# 【name】: a short run with no bracket or line break inside, so that stray brackets in a
# letter do not swallow the text between them.
PLACEHOLDER = re.compile(r"【([^【】\n]{1,12})】")


def placeholders_in(text):
    return [match.group(1) for match in PLACEHOLDER.finditer(text)]


def unknown_placeholders(text):
    """The 【…】 names in a template that are no placeholder, in order, each once."""
    return list(dict.fromkeys(name for name in placeholders_in(text) if name not in PLACEHOLDERS))


def fill(text, letter):
    """The text with each known placeholder replaced by its value for this letter, in a
    single pass; each value is worked out at most once."""
    values = {}

    def value(match):
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        if name not in values:
            values[name] = PLACEHOLDERS[name][1](letter)
        return values[name]

    return PLACEHOLDER.sub(value, text)
