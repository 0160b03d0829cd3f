"""The demo's 承诺事项 on the demo day: one in each state the 回头看 page shows (one due that
day), reminders sent for them, one item on the yearly 回头看 list, and a second load adds
nothing."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from responses.models import Commitment, CommitmentReminder, Reply
from responses.models.commitments import due_for_look_back
from workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_shows_commitments_in_every_state(client):
    call_command("load_demo", stdout=io.StringIO())
    today = timezone.localdate()
    tracked = Commitment.objects.tracked()
    assert tracked.filter(state="open", due_on__gt=today + timedelta(days=30)).exists()
    assert tracked.filter(state="open", due_on__range=(today, today + timedelta(days=7))).exists()
    assert tracked.filter(state="open", due_on=today).exists()  # 今日到期, on any demo day
    assert tracked.filter(state="open", due_on__lt=today).exists()
    assert tracked.filter(state="partly").exists() and tracked.filter(state="drop_requested")
    delivered = Commitment.objects.filter(state="delivered", follow_up__state="sent")
    assert delivered.filter(delivered_on__gte=today - timedelta(days=7)).exists()
    assert due_for_look_back(Reply.objects.all(), today.year).count() == 1
    # converted once delivered; each item in a session held by the year it was assigned in
    assert Reply.objects.filter(bucket_before_conversion="planned", result_bucket="solved")
    for reply in Reply.objects.filter(commitments__isnull=False).distinct():
        item = reply.assignment.proposal
        assert item.session.year <= timezone.localtime(reply.assignment.assigned_at).year
    assert CommitmentReminder.objects.exists()
    office_notes = Notification.objects.filter(recipient__username="office", digest__isnull=False)
    assert office_notes.filter(digest__deadline_kind="commitment").exists()
    made = Commitment.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Commitment.objects.count() == made

    client.force_login(office_notes.first().recipient)
    page = client.get("/office/look-back/").content.decode()
    assert "完成实验室开放共享平台建设" in page and "基本满意" in page
    yearly = client.get("/office/look-back/yearly/").content.decode()
    assert "问题是否反弹" in yearly
