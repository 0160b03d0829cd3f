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


def delivered(reply, clerk, leader, outcome="delivered"):
    follow_up = start_follow_up(reply.assignment, clerk)
    for commitment in reply.commitments.all():
        report_commitment(follow_up, commitment, clerk, outcome=outcome, note="已完成")
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
    item = reply.assignment.proposal_id  # each row leads to the very commitment
    assert f'href="/items/{item}/#commitment-{reply.commitments.get().pk}"' in page()


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


def delivered_a_year_ago(reply, clerk, leader):
    """Delivered: then dated a year back, so this year is one of its look-back years."""
    delivered(reply, clerk, leader)
    a_year_ago = TODAY.replace(year=TODAY.year - 1, day=1)
    Commitment.objects.filter(reply=reply).update(delivered_on=a_year_ago)


def test_the_office_records_the_yearly_look_back(client, office, clerk, leader, kewei, page):
    reply = promised(office, clerk, leader, kewei, PAST)
    delivered_a_year_ago(reply, clerk, leader)  # looked back at this year and the next
    assert "没有需要回头看的件" in page("/office/look-back/yearly/", year=TODAY.year - 1)
    text = page("/office/look-back/yearly/", year=TODAY.year)
    assert reply.assignment.proposal.title in text and "问题是否反弹" in text
    response = client.post(
        f"/office/look-back/replies/{reply.pk}/record",
        {"year": TODAY.year, "recurred": "1", "note": "群众再次反映"},
    )
    assert response.status_code == 302
    record = LookBack.objects.get()
    assert (record.year, record.recurred, record.recorded_by) == (TODAY.year, True, office)
    text = page("/office/look-back/yearly/", year=TODAY.year)
    assert "群众再次反映" in text and 'name="recurred"' not in text
    assert TransitionLog.objects.filter(transition="record_look_back").exists()


@pytest.mark.parametrize(
    "year, field, error",
    [
        ("1999", "year", "年度须在2000年至"),
        (str(TODAY.year + 1), "year", "年度须在2000年至"),
        ("", "year", "请选择年度"),
        ("abc", "year", "整数"),
        (str(TODAY.year), "note", "核查情况不超过2000字"),
    ],
)
def test_a_bad_look_back_is_refused_with_its_fields_error(
    client, office, clerk, leader, kewei, page, year, field, error
):
    reply = promised(office, clerk, leader, kewei, PAST)
    delivered_a_year_ago(reply, clerk, leader)
    page()
    note = "核" * 2001 if field == "note" else "群众再次反映"
    response = client.post(
        f"/office/look-back/replies/{reply.pk}/record",
        {"year": year, "recurred": "0", "note": note},
    )
    assert response.status_code == 400
    assert error in response.context["failed"][1].errors[field][0]
    text = response.content.decode()
    assert error in text and "请选择问题是否反弹" not in text
    assert not LookBack.objects.exists()


def test_the_office_returns_to_the_year_it_recorded(client, office, clerk, leader, kewei, page):
    reply = promised(office, clerk, leader, kewei, PAST)
    delivered_a_year_ago(reply, clerk, leader)  # due this year and next: last year it was not
    Commitment.objects.filter(reply=reply).update(
        delivered_on=TODAY.replace(year=TODAY.year - 2, day=1)
    )  # due last year and this one
    page()
    year = TODAY.year - 1
    for data in ({}, {"next": "/office/look-back/yearly/"}, {"next": "https://evil.example/"}):
        LookBack.objects.all().delete()
        response = client.post(
            f"/office/look-back/replies/{reply.pk}/record",
            {"year": year, "recurred": "0", **data},
        )
        assert response.status_code == 302
        assert response.url == f"/office/look-back/yearly/?year={year}"
        assert LookBack.objects.get().year == year
    LookBack.objects.all().delete()
    listed = f"/office/look-back/yearly/?year={year}&page=1"
    response = client.post(
        f"/office/look-back/replies/{reply.pk}/record",
        {"year": year, "recurred": "0", "next": listed},
    )
    assert response.url == listed


def test_record_look_back_refuses_what_is_not_due_or_not_the_office(office, clerk, leader, kewei):
    open_one = promised(office, clerk, leader, kewei, LATER)
    with pytest.raises(ActionRefused, match="不在"):
        record_look_back(open_one, office, TODAY.year, False)
    reply = promised(office, clerk, leader, kewei, PAST)
    delivered(reply, clerk, leader)
    with pytest.raises(ActionRefused, match="不在"):
        record_look_back(reply, office, TODAY.year, False)  # delivered this very year
    reply.commitments.update(delivered_on=PAST)  # as if delivered last year
    with pytest.raises(PermissionDenied):
        record_look_back(reply, clerk, TODAY.year, False)
    record_look_back(reply, office, TODAY.year, False, "未再反映")
    with pytest.raises(ActionRefused, match="已经记录"):
        record_look_back(reply, office, TODAY.year, True)
    assert Commitment.objects.filter(state="delivered").count() == 1


def test_the_verb_refuses_a_year_not_yet_come_or_before_2000(office, clerk, leader, kewei):
    """The page's form offers 2000 to this year; the verb itself holds the same bounds."""
    reply = promised(office, clerk, leader, kewei, LATER)
    for year in (1999, TODAY.year + 1):
        with pytest.raises(ActionRefused, match="回头看的年度须在2000年至今年之间"):
            record_look_back(reply, office, year, False)


def test_a_partly_delivered_one_says_when_it_was_reported(
    client, office, clerk, leader, kewei, page
):
    """部分落实 is not delivered: the page says when it was reported so, not a 落实日期."""
    reply = promised(office, clerk, leader, kewei, LATER)
    delivered(reply, clerk, leader, outcome="partly")
    text = page(state="partly")
    assert f"{TODAY:%Y-%m-%d}报告部分落实" in text and "落实日期" not in text
    client.force_login(office)
    item = client.get(f"/items/{reply.assignment.proposal_id}/").content.decode()
    assert "报告部分落实" in item and "落实日期" not in item
