"""回头看: the office's review of what replies promised, by unit and state, overdue first, with
the unit's latest progress and the proposers' latest rating; the yearly list of items whose
commitments were delivered one to two years ago, where the office records whether the problem
came back."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from responses.actions import (
    add_commitment,
    note_progress,
    record_feedback,
    record_look_back,
    report_commitment,
    request_drop,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    start_reply,
    submit_letter,
)
from responses.models import Commitment, LookBack
from tests import factories
from workflow.audit import ActionRefused
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LATER = date(TODAY.year + 1, 6, 1)
PAST = date(TODAY.year - 1, 6, 1)


def promised(office, clerk, leader, unit, *promises):
    """A sent 计划解决 reply with a commitment promised by each date of `promises`."""
    assignment = factories.accepted(office, clerk, unit)
    factories.contacted(assignment, clerk)
    drafted = datetime.combine(min(promises) - timedelta(days=60), time(10))  # before them
    reply = start_reply(assignment, clerk, at=timezone.make_aware(drafted))
    reply = save_letter(reply, clerk, body="现答复如下……", class_label="计划解决")
    for n, on in enumerate(promises, 1):
        add_commitment(reply, clerk, what=f"第{n}项：{on}前完成", due_kind="date", promised_on=on)
    return send_letter(sign_letter(submit_letter(reply, clerk), leader), clerk)


def delivered(reply, clerk, leader):
    follow_up = start_follow_up(reply.assignment, clerk)
    for commitment in reply.commitments.all():
        report_commitment(follow_up, commitment, clerk, outcome="delivered", note="已完成")
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下：已完成。")
    return send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)


@pytest.fixture(autouse=True)
def fresh_counts():
    # The counts are cached per audit-log position, and a rolled-back test's ids come again.
    cache.clear()


@pytest.fixture
def page(client, office):
    client.force_login(office)
    factories.just_active(client)

    def get(path="/office/look-back/", **query):
        response = client.get(path, query)
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_the_office_sees_commitments_by_unit_and_state_overdue_first(
    office, clerk, leader, kewei, page
):
    reply = promised(office, clerk, leader, kewei, LATER, PAST)
    later, past = reply.commitments.order_by("position")
    note_progress(later, clerk, "已完成方案论证")
    proposer = reply.assignment.proposal.proposers.first()
    record_feedback(reply, proposer, handling="satisfied", result="basic")
    text = page()
    assert text.index(past.what) < text.index(later.what)  # overdue first
    assert "已完成方案论证" in text and "基本满意" in text
    assert "逾期" in text  # the overdue one's badge
    counts = text[text.index("按单位和状态统计") : text.index("承诺事项清单")]
    assert kewei.name in counts and "?unit=" in counts
    overdue_only = page(overdue="on")
    assert past.what in overdue_only and later.what not in overdue_only


def test_filters_by_state_and_unit(office, clerk, leader, kewei, page):
    kept = promised(office, clerk, leader, kewei, LATER)
    dropping = promised(office, clerk, leader, kewei, PAST)
    request_drop(dropping.commitments.get(), clerk, "政策调整")
    done = promised(office, clerk, leader, kewei, date(TODAY.year - 1, 7, 1))
    delivered(done, clerk, leader)
    standing = page()
    assert kept.commitments.get().what in standing
    assert dropping.commitments.get().what in standing
    assert done.commitments.get().what not in standing  # delivered: no longer standing
    assert done.commitments.get().what in page(state="delivered")
    other = factories.unit("市教委", organ_code="沪教")
    assert "没有符合条件的承诺事项" in page(unit=other.pk)


def test_the_counts_follow_a_verb_at_once(office, clerk, leader, kewei, page):
    reply = promised(office, clerk, leader, kewei, LATER)
    drop_column = 'data-label="申请撤销"><a'
    assert drop_column not in page()
    request_drop(reply.commitments.get(), clerk, "政策调整")
    assert drop_column in page()  # not the cached counts of before


def test_only_the_office_of_the_jurisdiction_sees_it(client, office, clerk, leader, kewei):
    reply = promised(office, clerk, leader, kewei, PAST)
    client.force_login(clerk)
    assert client.get("/office/look-back/").status_code == 403
    elsewhere = factories.office_user(factories.jurisdiction("云南省", level="province"))
    client.force_login(elsewhere)
    response = client.get("/office/look-back/")
    assert reply.commitments.get().what not in response.content.decode()


def test_the_page_reads_a_constant_number_of_queries(
    office, clerk, leader, kewei, page, django_assert_max_num_queries
):
    promised(office, clerk, leader, kewei, LATER, PAST)
    with django_assert_max_num_queries(12) as few:
        page()
    for _ in range(4):
        reply = promised(office, clerk, leader, kewei, LATER, PAST)
        note_progress(reply.commitments.first(), clerk, "推进中")
    with django_assert_max_num_queries(len(few)):
        page()
    with django_assert_max_num_queries(len(few)):
        page("/office/look-back/yearly/", year=TODAY.year + 1)


def test_the_office_records_the_yearly_look_back(client, office, clerk, leader, kewei, page):
    reply = promised(office, clerk, leader, kewei, PAST)
    delivered(reply, clerk, leader)  # delivered today: looked back at next year and the one after
    assert "没有需要回头看的件" in page("/office/look-back/yearly/", year=TODAY.year)
    text = page("/office/look-back/yearly/", year=TODAY.year + 1)
    assert reply.assignment.proposal.title in text and "问题是否反弹" in text
    response = client.post(
        f"/office/look-back/replies/{reply.pk}/record",
        {"year": TODAY.year + 1, "recurred": "1", "note": "群众再次反映"},
    )
    assert response.status_code == 302
    record = LookBack.objects.get()
    assert (record.year, record.recurred, record.recorded_by) == (TODAY.year + 1, True, office)
    text = page("/office/look-back/yearly/", year=TODAY.year + 1)
    assert "群众再次反映" in text and 'name="recurred"' not in text
    assert TransitionLog.objects.filter(transition="record_look_back").exists()


def test_record_look_back_refuses_what_is_not_due_or_not_the_office(office, clerk, leader, kewei):
    open_one = promised(office, clerk, leader, kewei, LATER)
    with pytest.raises(ActionRefused, match="不在"):
        record_look_back(open_one, office, TODAY.year + 1, False)
    reply = promised(office, clerk, leader, kewei, PAST)
    delivered(reply, clerk, leader)
    with pytest.raises(ActionRefused, match="不在"):
        record_look_back(reply, office, TODAY.year, False)  # delivered this very year
    with pytest.raises(PermissionDenied):
        record_look_back(reply, clerk, TODAY.year + 1, False)
    record_look_back(reply, office, TODAY.year + 2, False, "未再反映")
    with pytest.raises(ActionRefused, match="已经记录"):
        record_look_back(reply, office, TODAY.year + 2, True)
    assert Commitment.objects.filter(state="delivered").count() == 1
