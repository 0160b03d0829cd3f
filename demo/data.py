"""What the demo is made of: the places, sessions, units and people, the demo logins and their
password, the topics of the generated items, and the folder of the five seed letters."""

from pathlib import Path

from proposals.classification import Scheme
from proposals.models import ProposalState
from responses.models import LetterState
from workflow.models import AssignmentState

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

# Every demo proposer gets invented contacts (mobiles in the 139 range, mail at reserved
# example domains, addresses of made-up numbers) except this one, who has a postal address
# only: a co-proposer of the first generated item whose reply the demo sends through Banli,
# so the office's undelivered list shows a reply waiting for its paper delivery.
PAPER_ONLY = "龚喆"
STREETS = ("人民大道", "淮海中路", "南京西路", "四川北路", "延安西路", "世纪大道", "漕溪北路")
DISTRICTS = ("黄浦区", "徐汇区", "静安区", "虹口区", "长宁区", "浦东新区", "闵行区")
CHANNEL_CYCLE = ("sms", "email", "paper", "sms")


# What becomes of each generated item, and how many days ago it was assigned (交办): the state
# where the verbs stop, in the machine that holds it (the item's, the assignment's or the
# reply's). Closed and reopened items go through the proposers' feedback first.
SPREAD = (
    [(ProposalState.RECEIVED, None)] * 4
    + [(ProposalState.IN_REVIEW, None)] * 3
    + [(ProposalState.FILED, None)] * 3
    + [(AssignmentState.PENDING, d) for d in (2, 5, 9, 20)]
    + [(AssignmentState.ACCEPTED, d) for d in (10, 30, 45, 60, 75, 80, 85, 88, 95, 100, 120, 150)]
    + [(LetterState.SUBMITTED, d) for d in (40, 70, 84)]
    + [(LetterState.RETURNED, d) for d in (65,)]
    + [(LetterState.SENT, d) for d in (90, 110, 130)]
    + [(ProposalState.CLOSED, d) for d in (150, 160)]
    + [(ProposalState.REOPENED, d) for d in (170,)]
)

# The position (from 1, as `spread` counts) of the first generated item whose reply is sent:
# PAPER_ONLY co-signs it.
FIRST_SENT = 1 + next(i for i, (fate, _age) in enumerate(SPREAD) if fate == LetterState.SENT)

# Unit templates (公文模板): unit, letter kind, result class ("" = any), name, body with the
# placeholders LetterTemplate.fill replaces.
LETTER_TEMPLATES = [
    (
        "上海市科学技术委员会",
        "reply",
        "",
        "答复函（通用）",
        "【提出人】：\n您在【届次会议】上提出的第【案号】号“【案由】”收悉。经研究，现答复如下：\n"
        "一、……\n二、……\n感谢您对科技工作的关心和支持。",
    ),
    (
        "上海市科学技术委员会",
        "reply",
        "解决采纳",
        "答复函（已解决或采纳）",
        "【提出人】：\n您提出的“【案由】”收悉。您的建议已被采纳，具体落实情况如下：\n"
        "一、……\n二、下一步工作打算……\n感谢您对科技工作的关心和支持。",
    ),
    (
        "上海市卫生健康委员会",
        "opinion",
        "",
        "会办意见（通用）",
        "【办理单位】关于第【案号】号“【案由】”的会办意见：\n结合我单位职能，提出会办意见如下：\n一、……",
    ),
]
