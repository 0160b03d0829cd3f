"""Issue 16, findings 1 and 2: the office cannot make itself (or anyone) a superuser, cannot
grant itself another jurisdiction, and the admin shows and changes its own jurisdiction only.
Every change made there is logged with its old and new values, for the superuser's eyes."""

import importlib

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission

from proposals.models import Proposal, User
from tests import factories
from tests.config.conftest import OTHER_ADDRESS, OTHER_DRAFT, OTHER_PHONE
from workflow.actions import OFFICE_GROUP, office_permissions
from workflow.models import CalendarDay, OfficeMembership, UnitMembership

pytestmark = pytest.mark.django_db
PASSWORD = "Mole-Pass-2024!x"


@pytest.fixture
def root(db):
    return factories.user("root", is_staff=True, is_superuser=True)


def as_user(client, user):
    client.force_login(user)
    return client


def add_person(client, username, unit, **extra):
    return client.post(
        "/admin/proposals/user/add/",
        {
            "username": username,
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "unit": unit.pk,
            "role": "clerk",
            **extra,
        },
    )


def change_user(client, user, **fields):
    data = {
        "username": user.username,
        "name": user.name,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2024-01-01",
        "initial-date_joined_1": "09:00:00",
        **fields,
    }
    return client.post(f"/admin/proposals/user/{user.pk}/change/", data)


# ---- finding 1: no way up ---------------------------------------------------------------------
def test_the_office_cannot_create_a_superuser(client, office, kewei, root):
    as_user(client, office)
    add_person(client, "mole", kewei, is_superuser="on", is_staff="on")
    mole = User.objects.filter(username="mole").first()
    if mole is not None:
        change_user(client, mole, is_superuser="on", is_staff="on")
        mole.refresh_from_db()
        assert not mole.is_superuser and not mole.is_staff
        assert not mole.groups.exists() and not mole.user_permissions.exists()
    assert list(User.objects.filter(is_superuser=True)) == [root]


def test_the_office_cannot_raise_itself_or_any_staff_account(client, office, root):
    as_user(client, office)
    response = change_user(client, office, is_superuser="on")
    assert response.status_code == 302 and response.url == "/admin/"  # "does not exist"
    office.refresh_from_db()
    assert not office.is_superuser
    assert client.get(f"/admin/proposals/user/{root.pk}/change/").status_code == 302
    group = Group.objects.get(name=OFFICE_GROUP)
    perm = Permission.objects.get(codename="view_user")
    client.post(
        f"/admin/proposals/user/{office.pk}/change/",
        {"username": "office", "groups": [group.pk], "user_permissions": [perm.pk]},
    )
    assert not office.user_permissions.exists()


def test_the_office_cannot_open_or_set_the_superusers_password(client, office, root):
    as_user(client, office)
    url = f"/admin/proposals/user/{root.pk}/password/"
    assert client.get(url).status_code == 404
    client.post(url, {"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"})
    root.refresh_from_db()
    assert root.check_password("pw-Banli-2024")


def test_the_office_cannot_grant_itself_another_jurisdiction(client, office, elsewhere):
    item_url = f"/items/{elsewhere['item'].pk}/"
    as_user(client, office)
    assert client.get(item_url).status_code == 403
    client.post(
        "/admin/workflow/officemembership/add/",
        {"user": office.pk, "jurisdiction": elsewhere["jurisdiction"].pk},
    )
    assert not OfficeMembership.objects.filter(
        user=office, jurisdiction=elsewhere["jurisdiction"]
    ).exists()
    assert client.get(item_url).status_code == 403


def test_the_office_cannot_join_anyone_to_another_jurisdictions_unit(
    client, office, clerk, elsewhere
):
    as_user(client, office)
    for who in (office, clerk):
        client.post(
            "/admin/workflow/unitmembership/add/",
            {"user": who.pk, "unit": elsewhere["unit"].pk, "role": "leader"},
        )
    assert not UnitMembership.objects.filter(unit=elsewhere["unit"], user__in=[office, clerk])
    add_person(client, "spy", elsewhere["unit"])
    assert not UnitMembership.objects.filter(unit=elsewhere["unit"], user__username="spy")
    assert not User.objects.filter(username="spy").exists()


def test_the_office_group_grants_no_offices_and_nothing_of_djangos_own():
    names = set(office_permissions().values_list("codename", flat=True))
    assert {"add_officemembership", "change_officemembership"}.isdisjoint(names)
    assert not any(n.startswith("delete_") for n in names)
    assert not office_permissions().exclude(
        content_type__app_label__in=["proposals", "workflow", "responses"]
    )


def test_an_office_group_granted_too_much_before_is_narrowed(office):
    group = Group.objects.get(name=OFFICE_GROUP)
    too_much = Permission.objects.filter(
        codename__in=["add_officemembership", "change_officemembership", "delete_user", "add_group"]
    )
    group.permissions.add(*too_much)
    migration = importlib.import_module("workflow.migrations.0009_office_grants_no_offices")
    migration.narrow_office_group(apps, None)
    assert not group.permissions.filter(pk__in=too_much).exists()
    assert group.permissions.filter(codename="add_unitmembership").exists()


# ---- finding 2: the admin keeps to the office's jurisdiction --------------------------------
def test_another_jurisdictions_draft_is_neither_listed_searched_nor_opened(
    client, office, elsewhere
):
    as_user(client, office)
    listed = client.get("/admin/responses/reply/", {"q": OTHER_DRAFT[:6]})
    assert listed.status_code == 200
    assert elsewhere["draft"].title not in listed.content.decode()
    assert "0 " in listed.content.decode() or "0个" in listed.content.decode()
    opened = client.get(f"/admin/responses/reply/{elsewhere['draft'].pk}/change/")
    assert opened.status_code == 302
    assert OTHER_DRAFT not in client.get(opened.url).content.decode()
    # Its own jurisdiction's office does see it: drafts are the unit's and the office's.
    as_user(client, elsewhere["office"])
    listed = client.get("/admin/responses/reply/", {"q": OTHER_DRAFT[:6]})
    assert elsewhere["draft"].title in listed.content.decode()


def test_another_jurisdictions_proposer_contacts_stay_hidden(client, office, elsewhere):
    as_user(client, office)
    pages = [
        "/admin/proposals/proposer/",
        f"/admin/proposals/proposer/?q={elsewhere['person'].name}",
        f"/admin/proposals/proposer/{elsewhere['person'].pk}/change/",
        "/admin/workflow/contact/",
    ]
    for url in pages:
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert OTHER_PHONE not in body and OTHER_ADDRESS not in body, url
    as_user(client, elsewhere["office"])
    page = client.get(f"/admin/proposals/proposer/{elsewhere['person'].pk}/change/")
    assert OTHER_PHONE in page.content.decode()


def test_another_jurisdictions_item_title_cannot_be_changed(client, office, elsewhere):
    item = elsewhere["item"]
    as_user(client, office)
    client.post(
        f"/admin/proposals/proposal/{item.pk}/change/",
        {
            "title": "被篡改的案由",
            "body": "",
            "topic": "",
            "supervising_leader": "",
            "received_at_0": "2024-01-01",
            "received_at_1": "09:00:00",
            "signatories-TOTAL_FORMS": "0",
            "signatories-INITIAL_FORMS": "0",
        },
    )
    assert Proposal.objects.get(pk=item.pk).title == item.title


def test_choices_and_filters_offer_only_the_offices_own_rows(
    client, office, kewei, clerk, leader, elsewhere
):
    as_user(client, office)
    response = client.get("/admin/workflow/unitmembership/add/")
    users = {str(u) for u in response.context["adminform"].form.fields["user"].queryset}
    units = set(response.context["adminform"].form.fields["unit"].queryset)
    assert units == {kewei}
    assert users == {str(clerk), str(leader)}  # no staff, no other jurisdiction's people
    assert elsewhere["unit"].name not in response.content.decode()
    listed = client.get("/admin/workflow/assignment/").content.decode()
    assert elsewhere["unit"].name not in listed
    units = client.get("/admin/proposals/proposal/add/").content.decode()
    assert "山东" not in units


def test_the_office_administers_its_own_units_people(client, office, kewei):
    as_user(client, office)
    response = add_person(client, "newclerk", kewei)
    assert response.status_code == 302
    person = User.objects.get(username="newclerk")
    assert not person.is_staff and not person.is_superuser
    assert UnitMembership.objects.get(user=person).unit == kewei
    change_user(client, person, name="新承办人", phone="13800000000")
    person.refresh_from_db()
    assert person.name == "新承办人"
    password = f"/admin/proposals/user/{person.pk}/password/"
    assert client.get(password).status_code == 200


def test_shared_calendar_is_read_by_every_office_and_changed_by_none_alone(
    client, office, elsewhere, root
):
    day = CalendarDay.objects.create(day="2031-10-01", is_working=False, name="国庆节")
    as_user(client, office)
    assert client.get("/admin/workflow/calendarday/").status_code == 200
    url = f"/admin/workflow/calendarday/{day.pk}/change/"
    client.post(url, {"day": "2031-10-01", "is_working": "on", "name": "改"})
    day.refresh_from_db()
    assert not day.is_working and day.name == "国庆节"
    as_user(client, root)
    client.post(url, {"day": "2031-10-01", "is_working": "on", "name": "国庆节调休"})
    day.refresh_from_db()
    assert day.is_working


# ---- every change is logged, old → new, for the superuser ------------------------------------
def test_changes_are_logged_with_old_and_new_values_never_a_password(client, office, kewei, root):
    as_user(client, office)
    client.post(
        f"/admin/workflow/unit/{kewei.pk}/change/",
        {
            "jurisdiction": kewei.jurisdiction_id,
            "name": kewei.name,
            "short_name": "科委",
            "organ_code": "沪科",
            "issuing_office": kewei.issuing_office,
            "series_proposal_reply": "提复",
            "series_suggestion_reply": "建复",
            "series_opinion": "函",
            "is_active": "on",
        },
    )
    entry = LogEntry.objects.get(user=office, object_id=str(kewei.pk))
    assert "科委" in entry.get_change_message() and "（空）" in entry.get_change_message()
    add_person(client, "pwclerk", kewei)
    person = User.objects.get(username="pwclerk")
    client.post(
        f"/admin/proposals/user/{person.pk}/password/",
        {"password1": PASSWORD + "2", "password2": PASSWORD + "2", "usable_password": "true"},
    )
    person.refresh_from_db()
    logged = " ".join(e.change_message for e in LogEntry.objects.filter(object_id=str(person.pk)))
    assert "pbkdf2" not in logged and PASSWORD not in logged and person.password not in logged
    # The superuser reads the log; the office does not.
    assert client.get("/admin/admin/logentry/").status_code == 403
    as_user(client, root)
    page = client.get("/admin/admin/logentry/").content.decode()
    assert "科委" in page and "pwclerk" in page


def test_an_admin_actions_choices_are_the_offices_own(client, office, kewei, elsewhere):
    from workflow.models import Assignment

    item = factories.filed(office)
    as_user(client, office)
    asked = client.post(
        "/admin/proposals/proposal/",
        {"action": "assign_proposal", "_selected_action": [item.pk]},
    )
    form = asked.context["form"]
    assert set(form.fields["lead"].queryset) == {kewei}
    client.post(
        "/admin/proposals/proposal/",
        {
            "action": "assign_proposal",
            "_selected_action": [item.pk],
            "apply": "1",
            "lead": elsewhere["unit"].pk,
        },
    )
    assert not Assignment.objects.filter(proposal=item).exists()
    merge = client.post(
        "/admin/proposals/proposal/",
        {"action": "merge_proposal", "_selected_action": [item.pk]},
    )
    assert elsewhere["item"] not in merge.context["form"].fields["into"].queryset
