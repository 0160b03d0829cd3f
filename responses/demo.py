"""Demo data: the five seed documents as real records, plus a realistic spread of items in
every state, all built through the workflow functions. Running it twice adds nothing."""

import json
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.contrib.auth import password_validation
from django.db import transaction
from django.utils import timezone

from proposals.classification import Scheme
from proposals.models import Jurisdiction, Proposal, Proposer, Session, User
from workflow import actions, reminders, second_factor
from workflow.models import Assignment, Unit
from workflow.roles import must_use_second_factor

from . import actions as letters
from .models import Rating, ReferenceDocument, Reply

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Meets the password policy (12+ characters, three classes); set through the validators.
DEMO_PASSWORD = "Banli@Demo2024"

JURISDICTIONS = [
    {
        "name": "上海市",
        "level": "city",
        "scheme": Scheme.SHANGHAI,
        "class_mark_style": "line",
        "cc_for_proposals": "市政府办公厅建议提案处\n市政协提案办",
        "cc_for_suggestions": "市政府办公厅建议提案处\n市人大代表工作处",
    },
    {
        "name": "山东省",
        "level": "province",
        "scheme": Scheme.LOCAL,
        "class_mark_style": "paren",
        "cc_for_proposals": "省政协提案委员会\n省委省政府督查办",
        "cc_for_suggestions": "省人大常委会代表工作室\n省委省政府督查办",
    },
    {
        "name": "云南省",
        "level": "province",
        "scheme": Scheme.LOCAL,
        "class_mark_style": "plain",
        "cc_for_proposals": "省政协提案委\n省政府办公厅议案处",
        "cc_for_suggestions": "省人大常委会选举联络人事任免工作委员会\n省政府办公厅议案处",
    },
]

# (jurisdiction, body, term, meeting, year, name or "")
SESSIONS = [
    ("上海市", "cppcc", 14, 2, 2024, ""),
    ("上海市", "npc", 16, 2, 2024, ""),
    ("上海市", "cppcc", 14, 4, 2026, ""),
    ("上海市", "npc", 16, 4, 2026, ""),
    ("山东省", "cppcc", 13, 1, 2023, ""),
    ("云南省", "cppcc", 12, 3, 2020, "政协云南省第十二届第三次会议"),
]

# (jurisdiction, name, short name, organ code, issuing office, address)
UNITS = [
    ("上海市", "上海市科学技术委员会", "市科委", "沪科", "上海市科委办公室", "人民大道200号"),
    (
        "上海市",
        "上海市卫生健康委员会",
        "市卫生健康委",
        "沪卫",
        "上海市卫生健康委办公室",
        "世博村路300号",
    ),
    (
        "上海市",
        "上海市药品监督管理局",
        "市药品监管局",
        "沪药监",
        "上海市药品监管局办公室",
        "雪野路928号",
    ),
    ("上海市", "上海市教育委员会", "市教委", "沪教", "上海市教委办公室", "大沽路100号"),
    (
        "上海市",
        "上海市经济和信息化委员会",
        "市经济信息化委",
        "沪经信",
        "上海市经济信息化委办公室",
        "世博村路300号",
    ),
    (
        "上海市",
        "上海市发展和改革委员会",
        "市发展改革委",
        "沪发改",
        "上海市发展改革委办公室",
        "人民大道200号",
    ),
    ("上海市", "上海市生态环境局", "市生态环境局", "沪环", "上海市生态环境局办公室", "大沽路100号"),
    ("上海市", "上海市交通委员会", "市交通委", "沪交", "上海市交通委办公室", "世博村路300号"),
    ("上海市", "上海市民政局", "市民政局", "沪民", "上海市民政局办公室", "巨鹿路139号"),
    ("山东省", "山东省科学技术厅", "省科技厅", "鲁科", "山东省科学技术厅办公室", "舜华路2000号"),
    (
        "山东省",
        "山东省卫生健康委员会",
        "省卫生健康委",
        "鲁卫",
        "山东省卫生健康委办公室",
        "燕东新路9号",
    ),
    ("云南省", "云南省科学技术厅", "省科技厅", "云科", "云南省科学技术厅办公室", "北京路418号"),
    (
        "云南省",
        "云南省卫生健康委员会",
        "省卫生健康委",
        "云卫",
        "云南省卫生健康委办公室",
        "西昌路45号",
    ),
]

# username, name, where, role: (unit name, clerk|leader) or ("office", jurisdiction). The first
# four are the demo logins printed by `make run`; the others act for the seed letters.
USERS = [
    ("office", "李敏（建议提案处）", ("office", "上海市")),
    ("clerk", "王大宽", ("上海市科学技术委员会", "clerk")),
    ("leader", "陈主任", ("上海市科学技术委员会", "leader")),
    ("clerk2", "孙振杰", ("上海市科学技术委员会", "clerk")),
    ("wsjw_clerk", "赵静", ("上海市卫生健康委员会", "clerk")),
    ("wsjw_leader", "周主任", ("上海市卫生健康委员会", "leader")),
    ("sd_office", "山东省提案办", ("office", "山东省")),
    ("sd_clerk", "资配处承办人", ("山东省科学技术厅", "clerk")),
    ("sd_leader", "潘军", ("山东省科学技术厅", "leader")),
    ("yn_office", "云南省议案处", ("office", "云南省")),
    ("yn_clerk", "杨蓉", ("云南省科学技术厅", "clerk")),
    ("yn_leader", "云南省科技厅领导", ("云南省科学技术厅", "leader")),
    ("yn_health_clerk", "云南省卫生健康委承办人", ("云南省卫生健康委员会", "clerk")),
]
DEMO_LOGINS = [
    ("admin", "系统管理员（Django 管理后台）"),
    ("office", "建议提案处（上海市）"),
    ("clerk", "承办人（上海市科学技术委员会）"),
    ("leader", "审核签发人（上海市科学技术委员会）"),
]

TOPICS = [
    ("科技创新", "关于加快培育本市科技型中小企业的建议"),
    ("科技创新", "关于完善科技成果转化收益分配机制的建议"),
    ("科技创新", "关于支持新型研发机构发展的建议"),
    ("生物医药", "关于推动细胞治疗临床研究规范发展的建议"),
    ("生物医药", "关于优化创新药械入院使用机制的建议"),
    ("医疗卫生", "关于加强社区卫生服务中心全科医生队伍建设的建议"),
    ("医疗卫生", "关于完善老年人慢性病管理服务的建议"),
    ("教育", "关于推进中小学课后服务提质增效的建议"),
    ("教育", "关于加强高校基础学科拔尖人才培养的建议"),
    ("交通", "关于优化中心城区公交线网的建议"),
    ("交通", "关于加快新能源汽车公共充电设施建设的建议"),
    ("生态环境", "关于加强河道水环境长效治理的建议"),
    ("生态环境", "关于推进建筑垃圾资源化利用的建议"),
    ("养老", "关于发展嵌入式社区养老服务的建议"),
    ("养老", "关于完善长期护理保险制度的建议"),
    ("数字经济", "关于加快公共数据开放利用的建议"),
    ("数字经济", "关于支持人工智能产业集聚发展的建议"),
    ("营商环境", "关于进一步优化涉企审批服务的建议"),
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌"


def _aware(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Demo:
    def __init__(self, out=None):
        self.out = out or (lambda message: None)
        self.jurisdictions, self.sessions, self.units, self.users = {}, {}, {}, {}

    # ---- reference data --------------------------------------------------------------
    def load(self):
        with transaction.atomic():
            self.base()
        for seed in json.loads((FIXTURES / "seed_letters.json").read_text())["letters"]:
            with transaction.atomic():
                self.seed_letter(seed)
        with transaction.atomic():
            self.spread()
        # The demo logins find today's reminders in their notification centre.
        self.out(f"提醒：{reminders.sweep()['total']} 条")

    def base(self):
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
                actions.add_office_member(user, self.jurisdictions[role])
            else:
                actions.add_unit_member(user, self.units[where], role)
            self.users[username] = User.objects.get(pk=user.pk)
        ReferenceDocument.objects.get_or_create(
            doc_number="沪科合〔2022〕29号", defaults=self._reference()
        )

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
        return [
            Proposer.objects.get_or_create(name=name, kind=kind, jurisdiction=jurisdiction)[0]
            for name, kind in people
        ]

    # ---- the seed letters -------------------------------------------------------------
    def seed_letter(self, seed):
        session = self.sessions[seed["session"]]
        if Proposal.objects.filter(session=session, number=seed["number"]).exists():
            return
        office = self._office(seed["jurisdiction"])
        assigned = _aware(date.fromisoformat(seed["assigned_on"]))
        sent = _aware(date.fromisoformat(seed["sent_on"]), 16)
        people = seed["proposers"]
        if seed["seed"] == "003":
            people = [["原函未载明提案人", "member"]]
        item = actions.receive_proposal(
            office,
            session=session,
            number=seed["number"],
            title=seed["proposal_title"],
            kind=seed["kind"],
            topic=seed["topic"],
            proposers=self._proposers(people, session.jurisdiction),
            received_at=assigned - timedelta(days=30),
        )
        if item.kind == Proposal.Kind.PROPOSAL:
            actions.start_review(item, office)
        actions.file_proposal(item, office)
        unit = self.units[seed["unit"]]
        clerk, leader = self._staff(seed["unit"], "clerk"), self._staff(seed["unit"], "leader")
        if seed["role"] == "co":
            lead_unit = self.units[seed["lead_unit"]]
            lead, mine = actions.assign_proposal(
                item, office, lead=lead_unit, co=[unit], at=assigned
            )
            actions.accept_assignment(lead, self._staff(seed["lead_unit"], "clerk"), at=assigned)
        else:
            (mine,) = actions.assign_proposal(item, office, lead=unit, at=assigned)
        actions.accept_assignment(mine, clerk, at=assigned + timedelta(days=2))
        fields = dict(seed["fields"])
        doc_number = fields.pop("doc_number")
        for key in ("letter_date", "issued_on"):
            fields[key] = date.fromisoformat(fields[key]) if fields[key] else None
        drafted = sent - timedelta(days=10)
        if seed["letter"] == "opinion":
            letter = letters.start_opinion(mine, clerk, at=drafted)
        else:
            actions.record_contact(
                mine,
                clerk,
                contacted_on=(sent - timedelta(days=20)).date(),
                method="phone",
                summary="电话联系提出人，沟通办理思路和进展。",
                proposer=item.proposers.order_by("signatures__position").first(),
            )
            letter = letters.start_reply(mine, clerk, at=drafted)
        letters.save_letter(letter, clerk, at=drafted, **fields)
        letters.submit_letter(letter, clerk, at=sent - timedelta(days=3))
        letters.sign_letter(letter, leader, at=sent - timedelta(days=1))
        letter = letters.send_letter(letter, clerk, at=sent, doc_number=doc_number)
        if seed["state"] == "published":
            letters.publish_letter(letter, clerk, at=sent + timedelta(days=5))
        for number in seed.get("references", []):
            letter.references.add(ReferenceDocument.objects.get(doc_number=number))
        self.out(f"种子公文 {seed['seed']}：{letter.title}")

    # ---- a realistic spread -----------------------------------------------------------
    def spread(self):
        rng = random.Random(2026)
        today = timezone.localdate()
        office = self.users["office"]
        shanghai = [u for u in self.units.values() if u.jurisdiction.name == "上海市"]
        kewei = self.units["上海市科学技术委员会"]
        sessions = [self.sessions["市政协十四届四次会议"], self.sessions["市十六届人大四次会议"]]
        # (how many, what becomes of them, days since 交办)
        plan = (
            [("received", None)] * 4
            + [("in_review", None)] * 3
            + [("filed", None)] * 3
            + [("pending", d) for d in (2, 5, 9, 20)]
            + [("accepted", d) for d in (10, 30, 45, 60, 75, 80, 85, 88, 95, 100, 120, 150)]
            + [("submitted", d) for d in (40, 70, 84)]
            + [("returned", d) for d in (65,)]
            + [("sent", d) for d in (90, 110, 130)]
            + [("closed", d) for d in (150, 160)]
            + [("reopened", d) for d in (170,)]
        )
        for index, (fate, age) in enumerate(plan, start=1):
            session = sessions[0 if fate == "in_review" else index % 2]
            number = f"{index:04d}"
            if Proposal.objects.filter(session=session, number=number).exists():
                continue
            topic, title = TOPICS[index % len(TOPICS)]
            kind = "proposal" if session.body == "cppcc" else "suggestion"
            if kind == "proposal":
                title = title.removesuffix("的建议") + "的提案"
            people = [
                (
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "member" if kind == "proposal" else "deputy",
                )
                for _ in range(rng.choice([1, 1, 1, 2, 3]))
            ]
            received = _aware(today - timedelta(days=(age or 5) + 10))
            item = actions.receive_proposal(
                office,
                session=session,
                number=number,
                title=title,
                kind=kind,
                topic=topic,
                body=f"{title.removesuffix('的提案').removesuffix('的建议')}。\n一、现状与问题……\n二、具体建议……",
                is_key=index % 9 == 0,
                proposers=self._proposers(people, session.jurisdiction),
                received_at=received,
            )
            if fate == "received":
                continue
            if kind == "proposal":
                actions.start_review(item, office)
            if fate == "in_review":
                continue
            actions.file_proposal(item, office)
            if fate == "filed":
                continue
            # Most items land at the science commission so the demo logins see a full inbox.
            lead = kewei if index % 3 else rng.choice(shanghai)
            co = [u for u in rng.sample(shanghai, 2) if u != lead][: rng.choice([0, 1, 2])]
            assigned = _aware(today - timedelta(days=age))
            assignments = actions.assign_proposal(item, office, lead=lead, co=co, at=assigned)
            if fate == "pending":
                continue
            for a in assignments:
                actions.accept_assignment(
                    a, self._first_staff(a.unit), at=assigned + timedelta(days=1)
                )
            if fate == "accepted":
                continue
            self._reply(item, assignments[0], fate, assigned)
        self.out(f"示例件：{Proposal.objects.count()} 件")

    def _first_staff(self, unit, role="clerk"):
        membership = unit.memberships.filter(role=role).select_related("user").first()
        if membership is None:
            user, _ = User.objects.get_or_create(
                username=f"{unit.organ_code}-{role}",
                defaults={"name": f"{unit.short_name}{'承办人' if role == 'clerk' else '领导'}"},
            )
            _set_demo_password(user)
            membership = actions.add_unit_member(user, unit, role)
        return membership.user

    def _reply(self, item, lead, fate, assigned):
        clerk, leader = self._first_staff(lead.unit), self._first_staff(lead.unit, "leader")
        lead = Assignment.objects.get(pk=lead.pk)
        # Co-handlers send their opinions first.
        for co in item.assignments.filter(role=Assignment.Role.CO):
            co_clerk, co_leader = self._first_staff(co.unit), self._first_staff(co.unit, "leader")
            opinion = letters.start_opinion(co, co_clerk, at=assigned + timedelta(days=15))
            letters.save_letter(
                opinion,
                co_clerk,
                at=assigned + timedelta(days=15),
                body="结合我单位职能，提出会办意见如下：……",
                class_label="解决采纳",
            )
            letters.submit_letter(opinion, co_clerk, at=assigned + timedelta(days=20))
            letters.sign_letter(opinion, co_leader, at=assigned + timedelta(days=21))
            letters.send_letter(opinion, co_clerk, at=assigned + timedelta(days=22))
        actions.record_contact(
            lead,
            clerk,
            contacted_on=(assigned + timedelta(days=25)).date(),
            method="visit",
            summary="走访提出人，听取对办理工作的意见。",
        )
        reply = letters.start_reply(lead, clerk, at=assigned + timedelta(days=26))
        label = ["解决采纳", "正在解决", "计划解决", "留作参考"][item.pk % 4]
        letters.save_letter(
            reply,
            clerk,
            at=assigned + timedelta(days=26),
            class_label=label,
            body=f"您提出的“{item.title}”收悉，经研究，现将办理情况答复如下：\n一、……\n感谢您对本市工作的关心和支持。",
        )
        letters.submit_letter(reply, clerk, at=assigned + timedelta(days=30))
        if fate == "submitted":
            return
        if fate == "returned":
            letters.return_letter(reply, leader, "请补充具体措施和时间安排。")
            return
        letters.sign_letter(reply, leader, at=assigned + timedelta(days=32))
        reply = letters.send_letter(reply, clerk, at=assigned + timedelta(days=33))
        if reply.discloses():
            letters.publish_letter(reply, clerk, at=assigned + timedelta(days=35))
        if fate == "sent":
            return
        ratings = (
            (Rating.UNSATISFIED, Rating.BASIC) if fate == "reopened" else (Rating.SATISFIED,) * 2
        )
        for person in item.proposers.all():
            if Reply.objects.get(pk=reply.pk).assignment.state != "replied":
                break
            letters.record_feedback(
                reply,
                person,
                handling=ratings[1],
                result=ratings[0],
                actor=self.users["office"],
                channel="paper",
                comment="" if fate == "closed" else "希望进一步落实具体措施。",
            )


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
