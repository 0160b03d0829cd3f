"""Result classification schemes (DOMAIN.md §4): each label maps to a canonical bucket so
statistics compare across jurisdictions that print different labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Bucket(models.TextChoices):
    SOLVED = "solved", _("解决采纳")
    IN_PROGRESS = "in_progress", _("正在解决")
    PLANNED = "planned", _("计划解决")
    REFERENCE = "reference", _("留作参考")


# The buckets whose replies promise work still to do (DOMAIN.md §2: B/C stay open for a
# follow-up reply): such a reply is signed only with its commitments (承诺事项).
PROMISING_BUCKETS = frozenset({Bucket.IN_PROGRESS, Bucket.PLANNED})


class Scheme(models.TextChoices):
    NATIONAL = "national4", _("全国人大四类（A/B/C/D）")
    LOCAL = "local3", _("地方三类（A/B/C）")
    SHANGHAI = "shanghai", _("上海（解决采纳/正在解决/计划解决/留作参考）")


# label → (bucket, how the label is explained to the drafter)
SCHEMES = {
    Scheme.NATIONAL: {
        "A": (Bucket.SOLVED, _("A类：所提问题已经解决或基本解决")),
        "B": (Bucket.IN_PROGRESS, _("B类：正在解决或列入计划逐步解决")),
        "C": (Bucket.PLANNED, _("C类：因条件限制待以后解决")),
        "D": (Bucket.REFERENCE, _("D类：留作参考")),
    },
    Scheme.LOCAL: {
        "A": (Bucket.SOLVED, _("A类：解决采纳")),
        "B": (Bucket.IN_PROGRESS, _("B类：正在解决或计划解决")),
        "C": (Bucket.REFERENCE, _("C类：留作参考")),
    },
    Scheme.SHANGHAI: {
        "解决采纳": (Bucket.SOLVED, _("解决采纳")),
        "正在解决": (Bucket.IN_PROGRESS, _("正在解决")),
        "计划解决": (Bucket.PLANNED, _("计划解决")),
        "留作参考": (Bucket.REFERENCE, _("留作参考")),
    },
}


def labels(scheme):
    return list(SCHEMES[scheme])


def bucket_for(scheme, label):
    """The canonical bucket of a scheme's label; None for a label the scheme lacks."""
    entry = SCHEMES.get(scheme, {}).get(label)
    return entry[0] if entry else None


def shown(label):
    """A stored result label in the page's language: a scheme's Chinese words (上海:
    解决采纳 …) are translated; letters (A/B/C/D) read the same in any language."""
    entry = SCHEMES[Scheme.SHANGHAI].get(label)
    return str(entry[1]) if entry else label
