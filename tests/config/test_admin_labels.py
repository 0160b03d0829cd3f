"""Issue 21: the Chinese admin names our fields in Chinese (a foreign key declared without a
verbose name read "Unit:") and the third-party apps under Chinese names."""

import re

import pytest

from workflow.models import Notification, UnitMembership
from workflow.notices import Event, announce

pytestmark = pytest.mark.django_db


def labels(response):
    assert response.status_code == 200
    found = re.findall(r"<label[^>]*>([^<]*)</label>", response.content.decode())
    return [label.rstrip(":： ") for label in found]


def test_an_editable_and_a_read_only_record_label_their_fields_in_chinese(
    client, admin_user, kewei, clerk
):
    client.force_login(admin_user)
    membership = UnitMembership.objects.get(user=clerk)
    shown = labels(client.get(f"/admin/workflow/unitmembership/{membership.pk}/change/"))
    assert "单位" in shown and "用户" in shown and "Unit" not in shown
    announce(Event.ASSIGNED, subject="assignment:1", title="新交办", unit=kewei)
    notice = Notification.objects.get(recipient=clerk)
    shown = labels(client.get(f"/admin/workflow/notification/{notice.pk}/change/"))
    assert "接收人" in shown and not [label for label in shown if label.isascii() and label]


def test_third_party_apps_have_chinese_names(client, admin_user):
    client.force_login(admin_user)
    index = client.get("/admin/").content.decode()
    assert "登录失败锁定" in index and "两步验证（验证器应用）" in index
    assert ">Axes<" not in index and "Otp_Totp" not in index


def test_the_sign_in_lockout_records_read_in_chinese(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "登录尝试" in page and "access attempts" not in page.lower()
