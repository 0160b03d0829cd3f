"""Demo data: the five seed documents as real records, plus a realistic spread of items in
every state, all built through the verbs. Running it twice adds nothing. What it is made of
(places, people, topics) is in demo/data.py."""

import hashlib
import json
import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone

from proposals.models import Jurisdiction, Proposal, ProposalState, Proposer, Session, User
from responses import commitment_reminders
from responses.actions import (
    confirm_commitment,
    publish_letter,
    record_feedback,
    return_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_opinion,
    start_reply,
    submit_letter,
    suggest_commitments,
)
from responses.models import (
    Feedback,
    LetterState,
    LetterTemplate,
    Rating,
    ReferenceDocument,
    Reply,
)
from workflow import reminders, second_factor
from workflow.actions import (
    accept_assignment,
    add_office_member,
    add_unit_member,
    assign_proposal,
    file_proposal,
    receive_proposal,
    record_contact,
    start_review,
)
from workflow.models import Assignment, AssignmentState, Unit
from workflow.roles import must_use_second_factor

from . import commitments
from .data import (
    CHANNEL_CYCLE,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DISTRICTS,
    FIRST_SENT,
    FIXTURES,
    GIVEN,
    JURISDICTIONS,
    LETTER_TEMPLATES,
    PAPER_ONLY,
    SESSIONS,
    SPREAD,
    STREETS,
    SURNAMES,
    TOPICS,
    UNITS,
    USERS,
)


def _aware(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Demo:
    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.jurisdictions, self.sessions, self.units, self.users = {}, {}, {}, {}

    def load(self):
        with transaction.atomic():
            self.base()
        for seed in json.loads((FIXTURES / "seed_letters.json").read_text())["letters"]:
            with transaction.atomic():
                self.seed_letter(seed)
        with transaction.atomic():
            self.spread()
        with transaction.atomic():
            self.out(f"承诺事项示例：{commitments.load(self)} 件")
        # The demo logins find today's reminders in their notification centre.
        # The ladder comes with the migrations; a database emptied since (a test's flush)
        # gets its missing default rungs back, so the demo always has reminders to show.
        reminders.install_default_ladder()
        self.out(f"提醒：{reminders.sweep()['total']} 条")
        self.out(f"承诺事项提醒：{commitment_reminders.sweep()['total']} 条")

    # ---- reference data --------------------------------------------------------------
    def base(self):
        self._places()
        self._people()
        self._letter_templates()
        ReferenceDocument.objects.get_or_create(
            doc_number="沪科合〔2022〕29号", defaults=self._reference()
        )

    def _places(self):
        """Jurisdictions, their sessions and their units."""
        for spec in JURISDICTIONS:
            spec = dict(spec)
            name = spec.pop("name")
            self.jurisdictions[name] = Jurisdiction.objects.get_or_create(name=name, defaults=spec)[
                0
            ]
        for where, body, term, meeting, year, name in SESSIONS:
            session = Session.objects.get_or_create(
                jurisdiction=self.jurisdictions[where],
                body=body,
                term=term,
                meeting=meeting,
                period=Session.Period.DURING,
                defaults={"year": year, "name": name},
            )[0]
            self.sessions[str(session)] = session
        for where, name, short, code, office, address in UNITS:
            defaults = {
                "short_name": short,
                "organ_code": code,
                "issuing_office": office,
                "address": address,
                "postcode": "200003" if where == "上海市" else "",
            }
            if code == "鲁科":
                defaults["series_proposal_reply"] = "函"  # seed 002: 鲁科函〔2023〕86号
            self.units[name] = Unit.objects.get_or_create(
                jurisdiction=self.jurisdictions[where], name=name, defaults=defaults
            )[0]

    def _letter_templates(self):
        """Every unit's standard texts, which serve a 提案 and a 建议 alike."""
        for unit in self.units.values():
            for role, kind, name, body in LETTER_TEMPLATES:
                LetterTemplate.objects.get_or_create(
                    unit=unit, role=role, kind=kind, name=name, defaults={"body": body}
                )

    def _people(self):
        """The administrator and the demo users, each a member of their office or unit."""
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"name": "系统管理员", "is_staff": True, "is_superuser": True},
        )
        if created:
            _set_demo_password(admin)
        for username, name, (where, role) in USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"name": name})
            if created:
                _set_demo_password(user)
            if where == "office":
                add_office_member(user, self.jurisdictions[role])
            else:
                add_unit_member(user, self.units[where], role)
            self.users[username] = User.objects.get(pk=user.pk)

    def _reference(self):
        ref = json.loads((FIXTURES / "seed_letters.json").read_text())["references"][0]
        return {
            "title": ref["title"],
            "issuer": ref["issuer"],
            "issued_on": date.fromisoformat(ref["issued_on"]),
            "body": ref["body"],
        }

    def _staff(self, unit_name, role):
        return next(
            self.users[u]
            for u, _name, where in USERS
            if where == (unit_name, role) and u in self.users
        )

    def _office(self, jurisdiction_name):
        return next(
            self.users[u] for u, _n, where in USERS if where == ("office", jurisdiction_name)
        )

    def _proposers(self, people, jurisdiction):
        found = []
        for name, kind in people:
            person, _created = Proposer.objects.get_or_create(
                name=name, kind=kind, jurisdiction=jurisdiction, defaults=contacts_for(name)
            )
            found.append(person)
        return found

    # ---- the seed letters -------------------------------------------------------------
    def seed_letter(self, seed):
        session = self.sessions[seed["session"]]
        if Proposal.objects.filter(session=session, number=seed["number"]).exists():
            return
        assigned = _aware(date.fromisoformat(seed["assigned_on"]))
        sent = _aware(date.fromisoformat(seed["sent_on"]), 16)
        item = self._seed_item(seed, session, assigned)
        mine = self._seed_assignment(seed, item, assigned)
        letter = self._seed_draft(seed, item, mine, sent)
        clerk, leader = self._staff(seed["unit"], "clerk"), self._staff(seed["unit"], "leader")
        if isinstance(letter, Reply):  # an opinion promises nothing to the proposers
            confirm_promises(Reply.objects.get(pk=letter.pk), clerk, sent - timedelta(days=4))
        submit_letter(letter, clerk, at=sent - timedelta(days=3))
        sign_letter(letter, leader, at=sent - timedelta(days=1))
        letter = send_letter(letter, clerk, at=sent, doc_number=seed["fields"]["doc_number"])
        if seed["state"] == LetterState.PUBLISHED:
            publish_letter(letter, clerk, at=sent + timedelta(days=5))
        for number in seed.get("references", []):
            letter.references.add(ReferenceDocument.objects.get(doc_number=number))
        self.out(f"种子公文 {seed['seed']}：{letter.title}")

    def _seed_item(self, seed, session, assigned):
        """The seed's item, received a month before it was assigned, and filed (立案)."""
        office = self._office(seed["jurisdiction"])
        people = seed["proposers"]
        if seed["seed"] == "003":
            people = [["原函未载明提案人", "member"]]
        item = receive_proposal(
            office,
            session=session,
            number=seed["number"],
            title=seed["proposal_title"],
            kind=seed["kind"],
            topic=seed["topic"],
            proposers=self._proposers(people, session.jurisdiction),
            received_at=assigned - timedelta(days=30),
        )
        # Reviewed and filed in the days after 登记, well before 交办: the history reads in order.
        if item.kind == Proposal.Kind.PROPOSAL:
            start_review(item, office, at=item.received_at + timedelta(days=1))
        file_proposal(item, office, at=item.received_at + timedelta(days=2))
        return item

    def _seed_assignment(self, seed, item, assigned):
        """交办 to the seed's unit (as a co-handler beside a lead when the seed says so), and
        签收 two days later: the seed unit's assignment."""
        office = self._office(seed["jurisdiction"])
        unit, clerk = self.units[seed["unit"]], self._staff(seed["unit"], "clerk")
        if seed["role"] == "co":
            lead_unit = self.units[seed["lead_unit"]]
            lead, mine = assign_proposal(item, office, lead=lead_unit, co=[unit], at=assigned)
            accept_assignment(lead, self._staff(seed["lead_unit"], "clerk"), at=assigned)
        else:
            (mine,) = assign_proposal(item, office, lead=unit, at=assigned)
        accept_assignment(mine, clerk, at=assigned + timedelta(days=2))
        return mine

    def _seed_draft(self, seed, item, mine, sent):
        """The seed's letter drafted ten days before it was sent (a reply after a call to
        the proposers), with the seed's fields."""
        clerk = self._staff(seed["unit"], "clerk")
        fields = dict(seed["fields"])
        fields.pop("doc_number")
        for key in ("letter_date", "issued_on"):
            fields[key] = date.fromisoformat(fields[key]) if fields[key] else None
        drafted = sent - timedelta(days=10)
        if seed["letter"] == "opinion":
            letter = start_opinion(mine, clerk, at=drafted)
        else:
            record_contact(
                mine,
                clerk,
                contacted_on=(sent - timedelta(days=20)).date(),
                at=sent - timedelta(days=20),
                method="phone",
                summary="电话联系提出人，沟通办理思路和进展。",
                proposer=item.proposers.order_by("signatures__position").first(),
            )
            letter = start_reply(mine, clerk, at=drafted)
        save_letter(letter, clerk, at=drafted, **fields)
        return letter

    # ---- a realistic spread -----------------------------------------------------------
    def spread(self):
        rng = random.Random(2026)
        today = timezone.localdate()
        sessions = [self.sessions["市政协十四届四次会议"], self.sessions["市十六届人大四次会议"]]
        for index, (fate, age) in enumerate(SPREAD, start=1):
            session = sessions[0 if fate == ProposalState.IN_REVIEW else index % 2]
            number = f"{index:04d}"
            if Proposal.objects.filter(session=session, number=number).exists():
                continue
            item = self._spread_item(rng, session, index, number, age, today)
            self._advance(rng, item, index, fate, age, today)
        self.out(f"示例件：{Proposal.objects.count()} 件")

    def _spread_item(self, rng, session, index, number, age, today):
        """A generated item on one of the topics, from one to three invented proposers."""
        topic, title = TOPICS[index % len(TOPICS)]
        is_proposal = session.body == Session.Body.CPPCC
        kind = Proposal.Kind.PROPOSAL if is_proposal else Proposal.Kind.SUGGESTION
        if is_proposal:
            title = title.removesuffix("的建议") + "的提案"
        people = [
            (
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                Proposer.Kind.MEMBER if is_proposal else Proposer.Kind.DEPUTY,
            )
            for _ in range(rng.choice([1, 1, 1, 2, 3]))
        ]
        if index == FIRST_SENT:
            people.append((PAPER_ONLY, people[0][1]))
        return receive_proposal(
            self.users["office"],
            session=session,
            number=number,
            title=title,
            kind=kind,
            topic=topic,
            body=f"{title.removesuffix('的提案').removesuffix('的建议')}。\n一、现状与问题……\n二、具体建议……",
            is_key=index % 9 == 0,
            proposers=self._proposers(people, session.jurisdiction),
            received_at=_aware(today - timedelta(days=(age or 5) + 10)),
        )

    def _advance(self, rng, item, index, fate, age, today):
        """Takes a generated item through the verbs until it reaches its fate."""
        office = self.users["office"]
        if fate == ProposalState.RECEIVED:
            return
        # Reviewed and filed in the days after 登记, before 交办 (登记 is 10 days before it).
        if item.kind == Proposal.Kind.PROPOSAL:
            start_review(item, office, at=item.received_at + timedelta(days=1))
        if fate == ProposalState.IN_REVIEW:
            return
        file_proposal(item, office, at=item.received_at + timedelta(days=2))
        if fate == ProposalState.FILED:
            return
        # Most items land at the science commission so the demo logins see a full inbox.
        shanghai = [u for u in self.units.values() if u.jurisdiction.name == "上海市"]
        lead = self.units["上海市科学技术委员会"] if index % 3 else rng.choice(shanghai)
        co = [u for u in rng.sample(shanghai, 2) if u != lead][: rng.choice([0, 1, 2])]
        assigned = _aware(today - timedelta(days=age))
        assignments = assign_proposal(item, office, lead=lead, co=co, at=assigned)
        if fate == AssignmentState.PENDING:
            return
        for a in assignments:
            accept_assignment(a, self._first_staff(a.unit), at=assigned + timedelta(days=1))
        if fate == AssignmentState.ACCEPTED:
            return
        self._reply(item, assignments[0], fate, assigned)

    def _first_staff(self, unit, role="clerk"):
        membership = unit.memberships.filter(role=role).select_related("user").first()
        if membership is None:
            user, _ = User.objects.get_or_create(
                username=f"{unit.organ_code}-{role}",
                defaults={"name": f"{unit.short_name}{'承办人' if role == 'clerk' else '领导'}"},
            )
            _set_demo_password(user)
            membership = add_unit_member(user, unit, role)
        return membership.user

    def _reply(self, item, lead, fate, assigned):
        """The co-handlers' opinions, then the lead's reply taken as far as the fate: with
        the leader, returned, sent, or rated by the proposers (closed or reopened)."""
        clerk, leader = self._first_staff(lead.unit), self._first_staff(lead.unit, "leader")
        lead = Assignment.objects.get(pk=lead.pk)
        self._opinions(item, assigned)
        reply = self._lead_reply(item, lead, clerk, assigned)
        if fate == LetterState.SUBMITTED:
            return
        if fate == LetterState.RETURNED:
            return_letter(reply, leader, "请补充具体措施和时间安排。")
            return
        sign_letter(reply, leader, at=assigned + timedelta(days=32))
        reply = send_letter(reply, clerk, at=assigned + timedelta(days=33))
        if reply.discloses():
            publish_letter(reply, clerk, at=assigned + timedelta(days=35))
        if fate == LetterState.SENT:
            return
        self._rate(item, reply, fate)

    def _opinions(self, item, assigned):
        """Co-handlers send their opinions first (会办意见), step by step side by side, so
        the history reads in date order."""
        drafts = []
        for co in item.assignments.filter(role=Assignment.Role.CO):
            co_clerk, co_leader = self._first_staff(co.unit), self._first_staff(co.unit, "leader")
            opinion = start_opinion(co, co_clerk, at=assigned + timedelta(days=15))
            marks = {"class_label": "解决采纳"} if opinion.carries_result_and_disclosure() else {}
            save_letter(
                opinion,
                co_clerk,
                at=assigned + timedelta(days=15),
                body="结合我单位职能，提出会办意见如下：我单位支持该项工作，将配合主办单位落实。",
                **marks,
            )
            drafts.append((opinion, co_clerk, co_leader))
        for opinion, co_clerk, _leader in drafts:
            submit_letter(opinion, co_clerk, at=assigned + timedelta(days=20))
        for opinion, _clerk, co_leader in drafts:
            sign_letter(opinion, co_leader, at=assigned + timedelta(days=21))
        for opinion, co_clerk, _leader in drafts:
            send_letter(opinion, co_clerk, at=assigned + timedelta(days=22))

    def _lead_reply(self, item, lead, clerk, assigned):
        """A visit to the proposers, then the lead unit's reply drafted and sent to its leader."""
        record_contact(
            lead,
            clerk,
            contacted_on=(assigned + timedelta(days=25)).date(),
            at=assigned + timedelta(days=25),
            method="visit",
            summary="走访提出人，听取对办理工作的意见。",
        )
        reply = start_reply(lead, clerk, at=assigned + timedelta(days=26))
        label = ["解决采纳", "正在解决", "计划解决", "留作参考"][item.pk % 4]
        reply = save_letter(
            reply,
            clerk,
            at=assigned + timedelta(days=26),
            class_label=label,
            body=f"您提出的“{item.title}”收悉，经研究，现将办理情况答复如下：\n一、我们已会同有关部门研究落实您提出的意见。\n"
            + PROMISES.get(label, "")
            + "感谢您对本市工作的关心和支持。",
        )
        confirm_promises(reply, clerk, assigned + timedelta(days=27))
        submit_letter(reply, clerk, at=assigned + timedelta(days=30))
        return reply

    def _rate(self, item, reply, fate):
        """The proposers' feedback forms on paper: satisfied (the item closes), or not (it is
        handled again)."""
        reopens = fate == ProposalState.REOPENED
        ratings = (Rating.UNSATISFIED, Rating.BASIC) if reopens else (Rating.SATISFIED,) * 2
        for person in item.proposers.all():
            if Reply.objects.get(pk=reply.pk).assignment.state != AssignmentState.REPLIED:
                break
            record_feedback(
                reply,
                person,
                handling=ratings[1],
                result=ratings[0],
                actor=self.users["office"],
                channel=Feedback.Channel.PAPER,
                comment="" if fate == ProposalState.CLOSED else "希望进一步落实具体措施。",
            )


# What a 正在解决/计划解决 reply promises (its commitments are found in these sentences).
PROMISES = {
    "正在解决": "二、下一步，我们将于年底前完成相关设施的改造工作。\n",
    "计划解决": "二、我们计划于明年6月底前完成方案编制。\n三、争取明年年底前全面完成建设任务。\n",
}


def confirm_promises(reply, clerk, at):
    """正在解决/计划解决 promise work: the clerk confirms the promises found in the text, dating
    an undated one to the end of the letter's year, as an office would ask."""
    if not reply.promises_work():
        return
    for candidate in suggest_commitments(reply, clerk, at=at):
        dated = candidate.promised_on is not None  # an undated one: 年底, the letter's year
        year = (reply.letter_date or timezone.localdate()).year
        confirm_commitment(
            candidate,
            clerk,
            what=candidate.what,
            due_kind=candidate.due_kind if dated else "year",
            promised_on=candidate.promised_on if dated else date(year, 12, 31),
            at=at,
        )


def contacts_for(name):
    """Invented but plausible contacts, the same for a name on every load (so load_demo
    stays idempotent); a postal address only for PAPER_ONLY."""
    seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    district, street = DISTRICTS[seed % len(DISTRICTS)], STREETS[seed // 7 % len(STREETS)]
    if name == PAPER_ONLY:
        return {
            "address": f"上海市{district}{street}{seed % 900 + 100}号",
            "preferred_channel": "paper",
        }
    return {
        "phone": f"139{seed % 10**8:08d}",
        "email": f"p{seed % 10**6:06d}@example.org",
        "address": f"上海市{district}{street}{seed % 900 + 100}号",
        "preferred_channel": CHANNEL_CYCLE[seed // 49 % len(CHANNEL_CYCLE)],
    }


def _set_demo_password(user):
    password_validation.validate_password(DEMO_PASSWORD, user)
    user.set_password(DEMO_PASSWORD)
    user.save()


def demo_logins():
    return [(username, DEMO_PASSWORD, role) for username, role in DEMO_LOGINS]


def demo_second_factors():
    """For each demo login that must pass a second factor: (username, secret as text, the
    otpauth:// address for a QR code, its unused recovery codes). The same on every run."""
    found = []
    for username, _role in DEMO_LOGINS:
        user = User.objects.get(username=username)
        if must_use_second_factor(user):
            device, codes = second_factor.demo_device(user)
            found.append(
                (
                    username,
                    second_factor.secret_text(device.key),
                    device.config_url,
                    codes,
                )
            )
    return found


def demo_proposer_logins(limit=6):
    """Proposers who can try their own door (/me/): (name, mobile, what awaits them), those
    with a reply to rate first. Every demo proposer with a mobile can sign in by code."""
    awaiting = {ProposalState.REPLIED: "待评价的答复", ProposalState.IN_HANDLING: "办理中"}
    found, seen = [], set()
    for state, note in awaiting.items():
        for person in Proposer.objects.filter(proposals__state=state).exclude(phone="").distinct():
            # A mobile registered for two proposers signs in neither (the office must tell
            # them apart), so only those whose mobile is theirs alone are offered.
            alone = Proposer.objects.filter(phone=person.phone).count() == 1
            if person.mobile and alone and person.pk not in seen and len(found) < limit:
                seen.add(person.pk)
                found.append((person.name, person.mobile, note))
    return found


def sms_destination():
    """Where a text sent in this installation can be read (the demo prints it)."""
    backend = settings.SMS_BACKEND
    if backend.endswith("FileBackend"):
        return str(settings.VAR_DIR / "sms.log")
    if backend.endswith("ConsoleBackend"):
        return "web 进程的控制台输出"
    return backend
