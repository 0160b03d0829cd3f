"""Uploads read in the worker (the Excel item import, the letter import): the one place that
says how long such a task may run, what happens when it fails, and when a record still marked
running has been given up on.

A task runs `guarded(record_id, work, fail)`: any exception, the soft time limit included,
ends in `fail(record_id, reason)`, which moves the record to its failed state with the reason.
A worker killed outright (the hard limit, a lost process) cannot say so; its record is still
running past `STUCK_AFTER`, and `is_stuck` lets the record's page end it.
"""

import logging
import uuid
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SOFT_LIMIT = 60  # seconds: the task is told to stop (prefork pool)
HARD_LIMIT = 90  # seconds: the task is killed (prefork pool)
# Also given to the readers as their own time budget, which holds under every pool.
READ_SECONDS = 30
STUCK_AFTER = timedelta(seconds=HARD_LIMIT + 60)
TASK_LIMITS = {"soft_time_limit": SOFT_LIMIT, "time_limit": HARD_LIMIT}


def guarded(record_id, work, fail):
    """work(record_id); whatever escapes it becomes fail(record_id, reason)."""
    try:
        return work(record_id)
    except SoftTimeLimitExceeded:
        return fail(record_id, timed_out())
    except MemoryError:
        return fail(record_id, _("文件过大，处理时内存不足，已停止。"))
    except Exception:  # the record must end, whatever went wrong
        # The library's own words stay in the log, under a reference the page gives: they
        # are in English and may name paths or internals.
        ref = uuid.uuid4().hex[:8]
        logger.exception("background reading of record %s failed (ref %s)", record_id, ref)
        return fail(
            record_id,
            _("处理时出错，已停止（错误编号 %(ref)s，已记录）。请联系系统管理员。") % {"ref": ref},
        )


def timed_out():
    return _("处理超过%(n)d秒仍未完成，已停止。请拆分文件后重新上传。") % {"n": SOFT_LIMIT}


def is_stuck(since, now=None):
    """A record running since `since` is past every limit: its worker is gone."""
    return since is not None and (now or timezone.now()) - since > STUCK_AFTER
