"""文号: the next number of a unit's series, allocated under a row lock."""

from proposals.models import Proposal

from ..models import (
    DocumentCounter,
    Opinion,
)


def series_of(letter):
    unit = letter.assignment.unit
    if isinstance(letter, Opinion):
        return unit.series_opinion
    if letter.assignment.proposal.kind == Proposal.Kind.PROPOSAL:
        return unit.series_proposal_reply
    return unit.series_suggestion_reply


def allocate_doc_number(unit, series, year):
    """The next number of a unit's series in a year, under a row lock: never skipped or
    reused, whatever runs beside it. Must run inside the sending transaction."""
    DocumentCounter.objects.get_or_create(unit=unit, series=series, year=year)
    counter = DocumentCounter.objects.select_for_update().get(unit=unit, series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return doc_number_text(unit, series, year, counter.last_number)


def next_doc_number(unit, series, year):
    """The number allocate_doc_number would give now, read without a lock: a preview for the
    page that asks before sending. Another letter of the series sent first takes it."""
    last = (
        DocumentCounter.objects.filter(unit=unit, series=series, year=year)
        .values_list("last_number", flat=True)
        .first()
    )
    return doc_number_text(unit, series, year, (last or 0) + 1)


def doc_number_text(unit, series, year, number):
    return f"{unit.organ_code}{series}〔{year}〕{number}号"
