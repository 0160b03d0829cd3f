"""Wording checks of the pre-flight (送审前检查): a letter that calls a deputy 委员, a
suggestion 提案 (or the reverse), or quotes another item's title, is most often a reply copied
from another item and not fully adapted.

They read three places only, so a word elsewhere in the body (a quotation, "政协委员" in a
sentence about a meeting) is never flagged:
- the salutation: the 主送 field, and the body's first line when it ends with "：" (the
  templates repeat "文彬代表：" there); replies only, an opinion is addressed to a unit;
- the opening: the letter's title and the body up to the first "收悉" (the stock "您提出的
  ……收悉"), with the item's own title taken out first (an item may be "关于建议……的提案");
- quoted titles: every 《…》 or “…” in the title or body that reads like an item's title
  (关于……建议 / 关于……提案) must be the item's title. Quoted laws and documents (《…条例》)
  and quoted phrases read otherwise and are not checked.

These are warnings, not blockers: they guess from free text, and a reply answering merged
items (并案) may rightly quote another item's title. The clerk and the leader see them; the
clerk decides.
"""

import re

from django.utils.translation import gettext_lazy as _

# Words that belong to one kind of item; seen in a letter about the other kind, they are wrong.
# 委员会 and 代表团 are names of bodies, not a person's title, and are not read as one.
PERSON_WORD = {"proposal": "委员", "suggestion": "代表"}
PERSON_PATTERN = {"proposal": re.compile(r"委员(?!会)"), "suggestion": re.compile(r"代表(?!团)")}
ITEM_WORD = {"proposal": "提案", "suggestion": "建议"}
OTHER = {"proposal": "suggestion", "suggestion": "proposal"}

QUOTED_TITLE = re.compile(r"[《“](关于[^《》“”\n]{1,300}?(?:建议|提案))[》”]")


def _squeeze(text):
    return re.sub(r"\s+", "", text)


def salutation(addressee, body):
    """The 主送 field and the body's first non-empty line when it is a salutation."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    first = lines[0] if lines and lines[0].endswith(("：", ":")) else ""
    return f"{addressee}\n{first}"


def opening(title, body, item_title):
    """The letter's title and the body up to its first 收悉, less the item's own title."""
    head = body[: body.index("收悉") + 2] if "收悉" in body else ""
    text = f"{title}\n{head}"
    return text.replace(item_title, "") if item_title else text


def kind_word_warnings(kind, *, addressee, title, body, item_title, to_proposer=True):
    """The wrong kind's words in the salutation (replies) and the opening."""
    wrong = OTHER.get(kind)
    if wrong is None:
        return []
    found = []
    if to_proposer and PERSON_PATTERN[wrong].search(salutation(addressee, body)):
        found.append(PERSON_WORD[wrong])
    if ITEM_WORD[wrong] in opening(title, body, item_title):
        found.append(ITEM_WORD[wrong])
    if not found:
        return []
    return [
        _(
            "请核对称谓和文种：本件是%(kind)s，主送、称谓或开头（至“收悉”）却写了“%(words)s”，"
            "是否套用了其他件的答复？"
        )
        % {"kind": ITEM_WORD[kind], "words": "”“".join(found)}
    ]


def title_warnings(*, title, body, item_title):
    """Quoted item titles (关于……建议/提案) that are not this item's title."""
    own = _squeeze(item_title)
    others = []
    for quoted in QUOTED_TITLE.findall(f"{title}\n{body}"):
        if _squeeze(quoted) != own and quoted not in others:
            others.append(quoted)
    return [
        _("请核对案由：正文引用的“%(quoted)s”与本件案由“%(own)s”不一致。")
        % {"quoted": quoted, "own": item_title}
        for quoted in others
    ]
