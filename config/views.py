import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflow.models import Heartbeat
from workflow.tasks import complete_probe

from . import health


def healthz(request):
    """Machine-readable: 200 when the database and the broker answer, 503 otherwise; the
    details only for the system's staff."""
    result = health.report()
    return JsonResponse(
        health.for_caller(result, request.roles), status=200 if result["ok"] else 503
    )


def status(request):
    result = health.for_caller(health.report(), request.roles)
    return render(request, "status.html", {"health": result})


@require_POST
@login_required
def probe(request):
    """Send a probe through the broker; the worker marks it done (the page shows when)."""
    if not request.roles.sees_system_status:
        raise PermissionDenied(_("只有系统管理员和建议提案处可以检查后台任务。"))
    with transaction.atomic():
        beat = Heartbeat.objects.create(kind=Heartbeat.Kind.PROBE)
        transaction.on_commit(lambda: complete_probe.delay(beat.pk), robust=True)
    messages.info(request, _("已发出检查任务，刷新页面查看后台任务是否完成。"))
    return redirect("status")


@login_required
def home(request):
    """Each role starts where its work is."""
    roles = request.roles
    if roles.is_office:
        return redirect("office-monitor")
    if roles.is_leader:
        return redirect("leader-queue")
    if roles.is_unit_member:
        return redirect("inbox")
    return render(request, "home.html")


def server_error(request):
    """Django's last resort for an uncaught exception. A lost database connection (restart,
    failover) is not a bug in a page: answer 503 with a page that says to retry, rendered
    without touching the database. Everything else stays a plain 500."""
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError)
    template = "503_database.html" if unavailable else "500.html"
    response = HttpResponse(
        loader.get_template(template).render({}), status=503 if unavailable else 500
    )
    if unavailable:
        response["Retry-After"] = "10"
    return response
