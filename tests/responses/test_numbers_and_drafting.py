"""Document numbers (per unit, series and year; at sending or at sign-off; never duplicated
or skipped under concurrency), unit templates, and the pre-flight check before sign-off."""

import threading

import pytest
from django.db import connection

from responses.actions import (
    allocate_doc_number,
    apply_template,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from responses.models import LetterTemplate
from tests import factories
from tests.services import require_postgres


def drafted(office, clerk, kewei, **fields):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    values = {
        "body": f"您提出的“{assignment.proposal.title}”收悉。",
        "class_label": "解决采纳",
        **fields,
    }
    return save_letter(reply, clerk, **values)


@pytest.mark.django_db
def test_series_by_kind_and_role_per_year(office, clerk, leader, kewei):
    proposal_reply = factories.sent_reply(office, clerk, leader, kewei)
    suggestion_reply = factories.sent_reply(office, clerk, leader, kewei, kind="suggestion")
    year = proposal_reply.sent_at.year
    assert proposal_reply.doc_number == f"沪科提复〔{year}〕1号"
    assert suggestion_reply.doc_number == f"沪科建复〔{year}〕1号"


@pytest.mark.django_db
def test_jurisdiction_may_number_at_sign_off(office, clerk, leader, kewei, shanghai):
    shanghai.number_at = "sign"
    shanghai.save()
    reply = submit_letter(drafted(office, clerk, kewei), clerk)
    signed = sign_letter(reply, leader)
    assert signed.doc_number.endswith("〕1号")
    assert send_letter(signed, clerk).doc_number == signed.doc_number


@pytest.mark.django_db
def test_unit_template_fills_its_placeholders(office, clerk, kewei):
    LetterTemplate.objects.create(
        unit=kewei,
        role="reply",
        name="通用答复",
        body="【提出人】委员：\n您提出的“【案由】”（【届次会议】第【案号】号）收悉，【办理单位】经认真研究，现答复如下：",
    )
    person = factories.proposer("姚成岭")
    assignment = factories.accepted(office, clerk, kewei, proposers=[person], number="13010345")
    reply = start_reply(assignment, clerk)
    assert reply.body.startswith("姚成岭委员：\n您提出的“关于进一步扶持干细胞治疗产业发展的提案”")
    assert (
        "市政协十四届二次会议第13010345号" in reply.body
        and "上海市科学技术委员会经认真研究" in reply.body
    )
    specific = LetterTemplate.objects.create(
        unit=kewei,
        role="reply",
        class_label="留作参考",
        name="留作参考",
        body="关于【案由】，留作参考。",
    )
    reply = apply_template(reply, clerk, specific)
    assert reply.body == "关于关于进一步扶持干细胞治疗产业发展的提案，留作参考。"


@pytest.mark.django_db
def test_preflight_lists_what_is_wrong_before_sign_off(office, clerk, kewei):
    reply = drafted(
        office,
        clerk,
        kewei,
        addressee="李四委员",
        body="现答复如下。",
        cc="",
        contact_phone="",
        class_label="",
    )
    problems = [str(p) for p in reply.preflight()]
    for expected in (
        "主送与提出人不一致",
        "办理结果类别",
        "联系人或联系电话不完整",
        "抄送栏为空",
        "正文未提及",
    ):
        assert any(expected in p for p in problems), (expected, problems)
    import datetime

    reply = save_letter(
        reply, clerk, letter_date=datetime.date.today() + datetime.timedelta(days=3)
    )
    # Signing waits for the day (sign_blockers); the draft may go up, warned.
    assert ("warn", "成文日期晚于今天：该日期之前不能签发。") in [
        (f.level, str(f)) for f in reply.preflight()
    ]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_senders_get_twenty_consecutive_numbers(kewei):
    require_postgres()
    numbers, errors = [], []
    barrier = threading.Barrier(20)

    def send():
        try:
            barrier.wait()
            from django.db import transaction

            with transaction.atomic():
                numbers.append(allocate_doc_number(kewei, "提复", 2025))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(numbers, key=lambda n: int(n.split("〕")[1][:-1])) == [
        f"沪科提复〔2025〕{n}号" for n in range(1, 21)
    ]


@pytest.mark.django_db
def test_replies_are_published_when_their_window_closes(office, clerk, leader, kewei):
    import datetime

    import time_machine

    from responses.models import Reply
    from responses.tasks import publish_due

    with time_machine.travel(datetime.datetime(2024, 5, 6, 10, tzinfo=datetime.UTC)):
        full = factories.sent_reply(office, clerk, leader, kewei)
        private = submit_letter(drafted(office, clerk, kewei, disclosure="on_request"), clerk)
        send_letter(sign_letter(private, leader), clerk)
    assert publish_due(today=datetime.date(2024, 5, 30)) == 0  # 20 working days end 31 May
    assert publish_due(today=datetime.date(2024, 5, 31)) == 1  # (11 May, a Saturday, counted)
    assert Reply.objects.get(pk=full.pk).state == "published"
    assert Reply.objects.get(pk=private.pk).state == "withheld"
