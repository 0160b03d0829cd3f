"""What the health page and /healthz report: the database, the broker, and the worker."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.models import AuditCheck, Heartbeat

# Beat ticks every minute; three missed ticks mean the worker or beat is not running.
BEAT_STALE_AFTER = timedelta(minutes=3)


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "engine": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - a health check reports, never raises
        return {"ok": False, "engine": connection.vendor, "error": str(exc)}


def check_broker():
    from config.celery import app

    url = settings.CELERY_BROKER_URL
    transport = url.split(":", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "transport": transport, "error": str(exc)}


def check_worker(now=None):
    now = now or timezone.now()
    beat = Heartbeat.objects.filter(kind=Heartbeat.Kind.BEAT).order_by("-requested_at").first()
    probe = Heartbeat.objects.filter(kind=Heartbeat.Kind.PROBE).order_by("-requested_at").first()
    last_beat = beat.done_at if beat else None
    return {
        "ok": bool(last_beat and now - last_beat < BEAT_STALE_AFTER),
        "last_beat": last_beat.isoformat() if last_beat else None,
        "beats_today": Heartbeat.objects.filter(
            kind=Heartbeat.Kind.BEAT, requested_at__gte=now - timedelta(days=1)
        ).count(),
        "last_probe_requested": probe.requested_at.isoformat() if probe else None,
        "last_probe_done": probe.done_at.isoformat() if probe and probe.done_at else None,
        "last_probe_worker": probe.worker if probe else "",
    }


def problems():
    return {
        "hash": _("内容与哈希不符（被改动或伪造）"),
        "missing": _("之前的记录缺失（被删除）"),
        "out_of_order": _("序号不符（伪造或被插入）"),
        "deleted": _("自上次核验以来有记录被删除"),
    }


def check_audit():
    """The last verification of the audit trail's hash chains (manage.py verify_audit, or the
    nightly task): when, how many rows, how many broken chains. Never run yet is not a fault."""
    last = AuditCheck.objects.order_by("-finished_at", "-pk").first()
    if last is None:
        return {"ok": True, "checked": False}
    return {
        "ok": last.ok,
        "checked": True,
        "at": last.finished_at.isoformat(),
        "rows": last.rows,
        "chains": last.chains,
        "breaks": last.breaks,
        "first_breaks": [
            {**b, "label": str(problems().get(b.get("problem"), b.get("problem")))}
            for b in last.details[:5]
        ],
    }


def for_caller(result, roles):
    """What a caller is told: everything for the staff who run the system, otherwise only
    whether it is up (no engine, broker, worker or error text for an anonymous visitor)."""
    return result if roles.sees_system_status else {"ok": result["ok"]}


def report():
    result = {"database": check_database(), "broker": check_broker()}
    result["worker"] = check_worker() if result["database"]["ok"] else {"ok": False}
    result["audit"] = check_audit() if result["database"]["ok"] else {"ok": False}
    # The web answers even when the worker is behind: only the database makes it unhealthy.
    result["ok"] = result["database"]["ok"] and result["broker"]["ok"]
    return result
