"""The audit trail is tamper-evident: every TransitionLog row is a link of a hash chain.

Chains are per subject (the logged object: an item, an assignment, a reply, an import…).
Row n of a subject carries `seq` = n and `hash` = SHA-256 over the previous row's hash
(empty for the first) and a canonical serialization of this row. A row changed, deleted or
inserted with plain SQL breaks its chain, and `manage.py verify_audit` names the first broken
row of each chain.

Why per subject: every verb already holds its subject's row lock when it logs (`fire` runs
on a locked row; other log calls write a row for an object created in the same transaction),
so the chain adds no lock of its own to a verb and no contention between units working on
different assignments of one item. On PostgreSQL `link` also takes a transaction-scoped
advisory lock per subject, for the few writers that log without the row lock (the deadline
recompute, re-freezing a letter); and the unique constraint (content type, object, seq) means
two writers can never fork a chain, whatever happens: the second one fails instead.
Rows are written only by workflow.audit: `log` (one row) and `log_many` (the bulk writers:
Excel import, deadline recompute), both chaining here before the insert: hashing is a few
microseconds a row.
"""

import hashlib
import json
from datetime import UTC

from django.contrib.contenttypes.models import ContentType
from django.db import connection

# pg_advisory_xact_lock(int4, int4): the first key is this namespace plus the content type,
# so the locks never meet the sweep's single-key lock (the two key spaces do not overlap).
LOCK_SPACE = 0x4C00_0000


def labels():
    """content type id → "app.model" (the hash names the type, not its id, so a dump and
    load into another database keeps the chain)."""
    return {
        pk: f"{app}.{model}"
        for pk, app, model in ContentType.objects.values_list("pk", "app_label", "model")
    }


def stamp(at):
    """The instant in UTC to the microsecond, as both databases keep it."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


# Compact JSON, Chinese kept as UTF-8: one unambiguous text per row (strings quoted and escaped).
ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def canonical(
    seq, at, label, object_id, proposal_id, actor_id, transition, source, target, comment
):
    return ENCODER.encode(
        [
            seq,
            stamp(at),
            label,
            object_id,
            proposal_id,
            actor_id,
            transition,
            source,
            target,
            comment,
        ]
    )


def digest(
    previous, seq, at, label, object_id, proposal_id, actor_id, transition, source, target, comment
):
    text = canonical(
        seq, at, label, object_id, proposal_id, actor_id, transition, source, target, comment
    )
    return hashlib.sha256((previous + text).encode()).hexdigest()


def row_digest(previous, row, label):
    return digest(
        previous,
        row.seq,
        row.at,
        label,
        row.object_id,
        row.proposal_id,
        row.actor_id,
        row.transition,
        row.source,
        row.target,
        row.comment,
    )


def _lock(subjects):
    if connection.vendor != "postgresql" or not subjects:
        return
    keys = sorted({(LOCK_SPACE + ct, (oid % 2**32) - 2**31) for ct, oid in subjects})
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 1000):
            part = keys[start : start + 1000]
            # One statement per thousand subjects, always in the same order (no deadlock
            # between two bulk writers).
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(k1, k2)) FROM "
                "(SELECT k1, k2 FROM unnest(%s::int[], %s::int[]) AS t(k1, k2) ORDER BY k1, k2) s",
                [[k[0] for k in part], [k[1] for k in part]],
            )


def heads(subjects, model):
    """(content type id, object id) → (seq, hash) of each subject's last row."""
    found = {}
    by_type = {}
    for ct, oid in subjects:
        by_type.setdefault(ct, set()).add(oid)
    for ct, ids in by_type.items():
        ids = sorted(ids)
        for start in range(0, len(ids), 1000):
            rows = (
                model.objects.filter(content_type_id=ct, object_id__in=ids[start : start + 1000])
                .order_by("object_id", "-seq")
                .values_list("object_id", "seq", "hash")
            )
            for oid, seq, hashed in rows:
                found.setdefault((ct, oid), (seq, hashed))
    return found


def link(rows, new_subjects=False):
    """Give unsaved TransitionLog rows (in the order they happened) their seq and hash.

    `new_subjects`: every row's subject was created in this transaction, so it has no row yet
    and no other transaction can see it (the Excel import): no lock and no lookup needed."""
    if not rows:
        return rows
    from .models import TransitionLog

    names = {}
    for row in rows:
        if row.content_type_id not in names:
            names[row.content_type_id] = ContentType.objects.get_for_id(row.content_type_id)
    subjects = {(row.content_type_id, row.object_id) for row in rows}
    if new_subjects:
        last = {}
    else:
        _lock(subjects)
        last = heads(subjects, TransitionLog)
    for row in rows:
        key = (row.content_type_id, row.object_id)
        seq, previous = last.get(key, (0, ""))
        row.seq = seq + 1
        ct = names[row.content_type_id]
        row.hash = row_digest(previous, row, f"{ct.app_label}.{ct.model}")
        last[key] = (row.seq, row.hash)
    return rows


# ---- verification -------------------------------------------------------------------------
FIELDS = [
    "id",
    "content_type_id",
    "object_id",
    "seq",
    "hash",
    "at",
    "proposal_id",
    "actor_id",
    "transition",
    "source",
    "target",
    "comment",
]
MAX_DETAILS = 200


def verify(chunk=5000, previous=None):
    """Walk every chain (streaming, in subject and seq order) and return what was found:
    rows, chains, the first broken row of each broken chain, and the highest id seen.

    `previous` is the last recorded run: if fewer rows are now at or below its highest id than
    it counted, rows were deleted since (which also catches the last row of a chain)."""
    from .models import TransitionLog

    names = labels()
    breaks, count, rows, chains, last_id = [], 0, 0, 0, 0
    current, expected, before, broken = None, 1, "", False
    query = TransitionLog.objects.order_by("content_type_id", "object_id", "seq", "id")
    for values in query.values_list(*FIELDS).iterator(chunk_size=chunk):
        row = dict(zip(FIELDS, values, strict=True))
        rows += 1
        last_id = max(last_id, row["id"])
        subject = (row["content_type_id"], row["object_id"])
        if subject != current:
            current, expected, before, broken = subject, 1, "", False
            chains += 1
        if broken:
            continue
        problem = _problem(row, expected, before, names)
        if problem:
            broken = True
            if len(breaks) < MAX_DETAILS:  # every break counted, the first ones detailed
                breaks.append(_break(row, problem, names))
            count += 1
            continue
        expected, before = expected + 1, row["hash"]
    deleted = _deleted_since(previous)
    if deleted:
        count += 1
        breaks.append(deleted)
    return {
        "rows": rows,
        "chains": chains,
        "breaks": breaks,
        "count": count,
        "last_id": last_id,
    }


def _problem(row, expected, before, names):
    """(kind, detail) of what is wrong with a row that should be link `expected` of its chain
    after the hash `before`, or None."""
    if row["seq"] != expected:
        return (
            "missing" if row["seq"] > expected else "out_of_order",
            f"seq {row['seq']}, expected {expected}",
        )
    wanted = digest(
        before,
        row["seq"],
        row["at"],
        names.get(row["content_type_id"], ""),
        row["object_id"],
        row["proposal_id"],
        row["actor_id"],
        row["transition"],
        row["source"],
        row["target"],
        row["comment"],
    )
    if wanted != row["hash"]:
        return ("hash", f"stored {row['hash'][:16] or '(none)'}…, computed {wanted[:16]}…")
    return None


def _break(row, problem, names):
    return {
        "id": row["id"],
        "subject": names.get(row["content_type_id"], str(row["content_type_id"])),
        "object_id": row["object_id"],
        "item": row["proposal_id"],
        "seq": row["seq"],
        "problem": problem[0],
        "detail": problem[1],
    }


def _deleted_since(previous):
    """A break when fewer rows are at or below the previous run's highest id than it counted."""
    from .models import TransitionLog

    if previous is None or not previous.last_id:
        return None
    still = TransitionLog.objects.filter(id__lte=previous.last_id).count()
    if still >= previous.anchor_rows:
        return None
    return {
        "id": None,
        "subject": "",
        "object_id": None,
        "item": None,
        "seq": None,
        "problem": "deleted",
        "detail": f"{previous.anchor_rows - still} rows at or below id "
        f"{previous.last_id} deleted since the check of "
        f"{previous.finished_at:%Y-%m-%d %H:%M}",
    }


def check_and_record(chunk=5000):
    """Verify every chain and keep the run (for /status/ and the next run)."""
    from django.utils import timezone

    from .models import AuditCheck

    started = timezone.now()
    previous = AuditCheck.objects.order_by("-finished_at").first()
    result = verify(chunk=chunk, previous=previous)
    anchor_kept = bool(result["count"]) and previous is not None
    record = AuditCheck.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        rows=result["rows"],
        chains=result["chains"],
        breaks=result["count"],
        details=result["breaks"],
        # What the next run compares with: this run's rows when whole, else the last whole
        # run's, so a deletion stays reported until someone looks into it.
        last_id=previous.last_id if anchor_kept else result["last_id"],
        anchor_rows=previous.anchor_rows if anchor_kept else result["rows"],
    )
    return record, result
