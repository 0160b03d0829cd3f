"""Chinese full-text search by character bigrams (no dictionary, no extra dependency).

Chinese has no spaces, so a text is indexed as the set of its overlapping two-character
pieces: "干细胞治疗" → 干细 细胞 胞治 治疗; Latin words and numbers count whole. A query
matches a text holding every piece of the query; similarity is the share of pieces two texts
have in common. The pieces are stored with the row (`grams` columns, written by the verbs that
create the row) as " 干细 细胞 … ", so that:

- PostgreSQL indexes the column's pieces as a tsvector (`array_to_tsvector`) with GIN (built-in,
  immutable functions; no parser, so no locale decides what a Chinese "word" is) and a query
  is a tsquery of the same pieces;
- SQLite (the embedded default, small data) matches `LIKE '% 干细 %'` per piece.
"""

import re

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, Value
from django.db.models.expressions import RawSQL

from .models import TitlePieces

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUNS = re.compile(rf"[{CJK}]+|[a-z0-9]+")

# Pieces every proposal title carries ("关于…的提案/建议"): they say nothing about the subject,
# so similarity ignores them, and so does a query made only of them.
BOILERPLATE = frozenset(
    {
        "关于",
        "于进",
        "进一",
        "一步",
        "的提",
        "提案",
        "的建",
        "建议",
        "议案",
        "的议",
        "代表",
        "委员",
        "加快",
        "快推",
        "推进",
        "进我",
        "我省",
        "我市",
        "加强",
        "强对",
        "的意",
        "意见",
        "方面",
        "有关",
        "问题",
        "的问",
        "题的",
        "进行",
        "开展",
        "工作",
        "作的",
        "相关",
        "实施",
        "支持",
        "推动",
        "完善",
        "健全",
        "促进",
        "提升",
        # the vocabulary of every development proposal
        "产业",
        "业发",
        "发展",
        "创新",
        "高质",
        "质量",
        "量发",
        "建设",
        "体系",
        "机制",
        "服务",
        "管理",
        "保障",
        "政策",
    }
)


# A Latin word or number is one piece, cut to this length: PostgreSQL's text search refuses
# a word over 2,047 bytes, and nobody searches for more than the first letters of a long one.
LONGEST_WORD = 64


def grams(*texts):
    """The distinct pieces of some texts, in order of first appearance."""
    seen = {}
    for text in texts:
        for run in RUNS.findall((text or "").lower()):
            if run.isascii():
                if len(run) > 1:
                    seen.setdefault(run[:LONGEST_WORD], None)
            elif len(run) == 1:
                seen.setdefault(run, None)
            else:
                for i in range(len(run) - 1):
                    seen.setdefault(run[i : i + 2], None)
    return list(seen)


def stored(*texts):
    """The column value: the pieces between single spaces, padded so LIKE can match a whole
    piece (' 细胞 ') and never half of one."""
    pieces = grams(*texts)
    return f" {' '.join(pieces)} " if pieces else ""


def item_fields(title, body=""):
    """The search column of an item, for the verbs that create one."""
    return {"search_grams": stored(title, body)}


def title_pieces(proposals):
    """The TitlePieces rows of new items, for the verbs that create them (one insert)."""
    return TitlePieces.objects.bulk_create(
        TitlePieces(proposal=p, grams=stored(p.title)) for p in proposals
    )


# Function characters: a piece holding one straddles two words (于干 of 关于干细胞, 疗和 of
# 治疗和…) and says nothing about the subject.
FUNCTION_CHARACTERS = frozenset("的和与及于对在等并")


def subject(pieces):
    """What a text is about: its pieces without the boilerplate and the word-straddling ones."""
    return [p for p in pieces if p not in BOILERPLATE and not FUNCTION_CHARACTERS & set(p)]


def _tsquery(pieces, joiner):
    # Pieces hold only letters and digits (RUNS), so quoting them is enough.
    return joiner.join(f"'{p}'" for p in pieces)


def _vector(column):
    # the padding spaces (for LIKE) leave empty strings, which tsvector refuses
    return f"array_to_tsvector(array_remove(string_to_array({column}, ' '), ''))"


def _column(model, field):
    return f'"{model._meta.db_table}"."{model._meta.get_field(field).column}"'


def matches(model, field, pieces, any_=False):
    """A filter on `model`'s rows: the field holds every piece (or any, with `any_`)."""
    if not pieces:
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        query = _tsquery(pieces, " | " if any_ else " & ")
        return RawSQL(
            f"{_vector(_column(model, field))} @@ CAST(%s AS tsquery)",
            [query],
            output_field=BooleanField(),
        )
    combined = Q()
    for piece in pieces:
        condition = Q(**{f"{field}__contains": f" {piece} "})
        combined = (combined | condition) if any_ else (combined & condition)
    return combined


def overlap(model, field, pieces):
    """A ranking expression: more of the pieces in the field, higher. PostgreSQL's ts_rank
    over an OR query; SQLite ranks in Python (its data is small)."""
    if connection.vendor != "postgresql" or not pieces:
        return Value(0.0, output_field=FloatField())
    return RawSQL(
        f"ts_rank({_vector(_column(model, field))}, CAST(%s AS tsquery))",
        [_tsquery(pieces, " | ")],
        output_field=FloatField(),
    )


def jaccard(pieces_a, pieces_b):
    """The share of pieces two texts have in common, 0–100."""
    a, b = set(pieces_a), set(pieces_b)
    return round(100 * len(a & b) / len(a | b)) if a and b else 0


def index_sql(table, column, name):
    """The GIN index a migration creates on PostgreSQL (nothing on SQLite)."""
    return (
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({_vector(column)})",
        f"DROP INDEX IF EXISTS {name}",
    )
