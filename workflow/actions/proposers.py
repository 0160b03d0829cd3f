"""Proposers at intake: who each typed proposer is (an existing record confirmed, or a new
person declared), the contacts the office records for them, and merging a duplicate record
into the one kept. Identity is the name and kind within the session's jurisdiction (namesakes
elsewhere are other people); the kind implies the body (委员: CPPCC, 代表: NPC)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from proposals.models import REVIEW_PERMISSION, ProposalProposer, Proposer

from ..audit import ActionRefused, lock, log
from ..models import Assignment, ProposerNotice, ProposerNoticeChoice, UnitMembership
from ..permissions import in_office, keeps_contacts, require_office
from ..proposer_contacts import CONTACT_FIELDS, contact_problems, typed_mobile
from ..selectors import namesakes


def _clean_contacts(name, contacts):
    """The contacts to store: the mobile in its normal form; refuses what is wrong."""
    problems = contact_problems(**contacts)
    if problems:
        raise ActionRefused(f"{name}：" + "；".join(problems.values()))
    if contacts.get("phone"):
        contacts["phone"] = typed_mobile(contacts["phone"])
    return contacts


def proposers_for_entries(actor, jurisdiction, entries):
    """The Proposer rows for typed entries, in order, inside the caller's transaction. A name
    with namesakes on record needs the office's answer: never a silent duplicate."""
    found = namesakes(jurisdiction, [(e.name, e.kind) for e in entries])
    return [_person_for(actor, jurisdiction, e, found.get((e.name, e.kind), [])) for e in entries]


def _person_for(actor, jurisdiction, entry, on_record):
    contacts = _clean_contacts(entry.name, entry.contacts())
    if entry.same_as:
        if entry.same_as not in {p.pk for p in on_record}:
            raise ActionRefused(
                _("“%(name)s”：所选的已有提出人不是本地区的同名提出人，请重新选择。")
                % {"name": entry.name}
            )
        return _confirmed(actor, entry, contacts)
    if on_record and not entry.new_person:
        raise ActionRefused(
            _("本地区已有同名提出人“%(name)s”（%(who)s）。请确认是否为同一人，或声明为新的提出人。")
            % {"name": entry.name, "who": "；".join(_described(p) for p in on_record)}
        )
    return Proposer.objects.create(
        name=entry.name,
        kind=entry.kind,
        affiliation=entry.affiliation,
        jurisdiction=jurisdiction,
        **contacts,
    )


def _described(person):
    return "、".join(filter(None, [person.affiliation, person.mobile, person.email])) or _(
        "无联系方式"
    )


def _confirmed(actor, entry, contacts):
    """The existing record, its blanks filled from what was typed; what it holds already is
    replaced only when the office said so."""
    person = lock(Proposer, entry.same_as)
    typed = {**contacts, "affiliation": entry.affiliation}
    changed = _apply(person, typed, overwrite=entry.update_contacts)
    _save_contacts(actor, person, changed)
    return person


def _apply(person, values, overwrite):
    changed = []
    for field, value in values.items():
        if value and getattr(person, field) != value and (overwrite or not getattr(person, field)):
            setattr(person, field, value)
            changed.append(field)
    return changed


def _save_contacts(actor, person, changed):
    if not changed:
        return
    if person.preferred_channel and person.preferred_channel not in person.channels:
        raise ActionRefused(
            _("%(name)s：首选送达方式须有相应的联系方式（邮箱、手机或地址）。")
            % {"name": person.name}
        )
    person.save(update_fields=changed)
    labels = "、".join(str(Proposer._meta.get_field(f).verbose_name) for f in changed)
    log(person, "update_contacts", actor, "", "", _("更新：%(fields)s") % {"fields": labels})


@transaction.atomic
def update_proposer_contacts(actor, proposer, **contacts):
    """The office, or a clerk of a unit answering the proposer now, records the proposer's
    mobile, email, address and preferred channel (blank clears); audited with the fields
    changed, never their values."""
    person = lock(Proposer, proposer.pk)
    require_contact_keeper(actor, person)
    wanted = {f: (contacts[f] or "").strip() for f in CONTACT_FIELDS if f in contacts}
    wanted = _clean_contacts(person.name, {**person_contacts(person), **wanted})
    changed = [f for f, v in wanted.items() if getattr(person, f) != v]
    for field in changed:
        setattr(person, field, wanted[field])
    _save_contacts(actor, person, changed)
    return person


def require_contact_keeper(actor, person):
    """workflow.permissions.keeps_contacts, asked of the actor's memberships: the office of
    the proposer's jurisdiction, or a clerk of a unit with a current lead or separate
    assignment of an item the proposer signed."""
    office = person.jurisdiction_id is not None and in_office(
        actor, person.jurisdiction_id, REVIEW_PERMISSION
    )
    clerk_units = set(
        actor.unit_memberships.filter(role=UnitMembership.Role.CLERK).values_list(
            "unit_id", flat=True
        )
        if actor is not None and actor.is_authenticated
        else ()
    )
    handling = Assignment.objects.filter(
        proposal__signatories__proposer=person, unit_id__in=clerk_units
    )
    if not keeps_contacts(office, clerk_units, handling if clerk_units else ()):
        raise PermissionDenied(
            _("只有建议提案处和正在答复该提出人的承办单位承办人可以登记其联系方式。")
        )


def person_contacts(person):
    return {f: getattr(person, f) for f in CONTACT_FIELDS}


@transaction.atomic
def merge_proposers(actor, keep, duplicate):
    """合并重复的提出人: every reference to `duplicate` (its items, and whatever else points
    at a proposer) moves to `keep`, whose empty contacts are filled from it; the duplicate
    is deleted. Both must be of the actor's office's jurisdiction."""
    first, second = sorted([keep.pk, duplicate.pk])
    rows = {first: lock(Proposer, first), second: lock(Proposer, second)}  # in id order
    keep, duplicate = rows[keep.pk], rows[duplicate.pk]
    for person in (keep, duplicate):
        if person.jurisdiction is None:
            raise ActionRefused(_("“%(name)s”尚无所属地区，不能合并。") % {"name": person.name})
        require_office(actor, person.jurisdiction, REVIEW_PERMISSION)
    if keep.jurisdiction_id != duplicate.jurisdiction_id:
        raise ActionRefused(_("只能合并同一地区的提出人。"))
    if keep.pk == duplicate.pk:
        raise ActionRefused(_("请选择两位不同的提出人。"))
    if not keep.is_namesake_of(duplicate):
        raise ActionRefused(
            _("只能合并姓名和类别都相同的提出人：“%(a)s”（%(ak)s）与“%(b)s”（%(bk)s）不是同一人。")
            % {
                "a": keep.name,
                "ak": keep.get_kind_display(),
                "b": duplicate.name,
                "bk": duplicate.get_kind_display(),
            }
        )
    _merge_signatures(keep, duplicate)
    _drop_notices_told_twice(keep, duplicate)
    moved = _repoint_references(keep, duplicate)
    filled = _take_over(keep, duplicate)
    note = _("并入“%(dup)s”（#%(pk)d）；补填：%(filled)s；另迁移%(moved)d条记录") % {
        "dup": duplicate.name,
        "pk": duplicate.pk,
        "filled": "、".join(filled) or "—",
        "moved": moved,
    }
    duplicate.delete()
    log(keep, "merge_proposers", actor, "", "", note)
    return keep


def _take_over(keep, duplicate):
    """The kept record's blanks (contacts, affiliation, the account) filled from the
    duplicate; returns the labels of what was filled."""
    values = {**person_contacts(duplicate), "affiliation": duplicate.affiliation}
    filled = _apply(keep, values, overwrite=False)
    if keep.preferred_channel and keep.preferred_channel not in keep.channels:
        keep.preferred_channel = ""
    if keep.user_id is None and duplicate.user_id is not None:
        keep.user_id, duplicate.user_id = duplicate.user_id, None
        duplicate.save(update_fields=["user"])
        filled.append("user")
    keep.save()
    return [str(Proposer._meta.get_field(f).verbose_name) for f in filled]


def _merge_signatures(keep, duplicate):
    """The duplicate's place on each item becomes the kept one's; on an item both signed,
    the kept proposer stays once, at the earlier of the two places, and the rest close up."""
    for link in ProposalProposer.objects.select_for_update().filter(proposer=duplicate):
        kept = ProposalProposer.objects.filter(proposal_id=link.proposal_id, proposer=keep)
        kept = kept.first()
        if kept is None:
            link.proposer = keep
            link.save(update_fields=["proposer"])
            continue
        at = min(link.position, kept.position)
        link.delete()
        _close_up(link.proposal_id, kept.pk, at)


def _close_up(proposal_id, kept_id, at):
    """Positions 0, 1, 2… in their order with the kept link at `at`; moved past the top
    first, so the unique (item, position) pair never collides on the way."""
    links = ProposalProposer.objects.filter(proposal_id=proposal_id)
    order = sorted(links, key=lambda link: at if link.pk == kept_id else link.position)
    top = (links.aggregate(top=Max("position"))["top"] or 0) + 1
    for shift, link in enumerate(order):
        ProposalProposer.objects.filter(pk=link.pk).update(position=top + shift)
    for position, link in enumerate(order):
        ProposalProposer.objects.filter(pk=link.pk).update(position=position)


def _drop_notices_told_twice(keep, duplicate):
    """One person told twice of the same step, under two records: the kept record's notice
    stands for both. The kept record's own choice of 通知方式 stands too, when it has one."""
    key = ("contact_mobile", "event", "subject")  # a named contact's notice is theirs
    told = set(ProposerNotice.objects.filter(proposer=keep).values_list(*key))
    theirs = ProposerNotice.objects.filter(proposer=duplicate)
    twice = [pk for pk, *row in theirs.values_list("pk", *key) if tuple(row) in told]
    ProposerNotice.objects.filter(pk__in=twice).delete()
    if ProposerNoticeChoice.objects.filter(proposer=keep).exists():
        ProposerNoticeChoice.objects.filter(proposer=duplicate).delete()


def _repoint_references(keep, duplicate):
    """Every other table pointing at a proposer (found from the model, so this app names
    none above it) moves to the kept record; a row that may exist only once per proposer
    and is there for both refuses the merge, saying where."""
    moved = 0
    for relation in Proposer._meta.related_objects:
        model, field = relation.related_model, relation.field
        if model is ProposalProposer or not field.many_to_one and not field.one_to_one:
            continue
        rows = model._default_manager.filter(**{field.name: duplicate})
        try:
            with transaction.atomic():
                moved += rows.update(**{field.name: keep})
        except IntegrityError as exc:
            raise ActionRefused(
                _("两位提出人在“%(table)s”中各有记录，不能自动合并；请先处理重复的记录。")
                % {"table": model._meta.verbose_name}
            ) from exc
    return moved
