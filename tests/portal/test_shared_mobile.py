"""One mobile registered for several identities (a couple of deputies sharing a phone, a
deputy who is also their party's named contact): whoever proves the mobile chooses which
identity to act as, from names only; the choice is checked on the server and audited; each
identity keeps its own account. The office sees on the item page that a mobile is shared."""

import pytest
from django.urls import reverse

from portal import actions
from portal.selectors import proposer_of, shared_mobiles, signers_for_mobile
from portal.templatetags.portal_office import door_of
from proposals.models import Proposer
from tests import factories
from workflow.models import TransitionLog

from .conftest import MOBILE, last_code

pytestmark = pytest.mark.django_db
SIGN_IN = reverse("portal-signin")


@pytest.fixture
def couple(person, shanghai):
    """文彬 (the person fixture, at MOBILE) and his wife, a deputy, registered at his mobile."""
    wife = factories.proposer(
        "林静",
        kind=Proposer.Kind.DEPUTY,
        phone=MOBILE,
        email="linjing@example.org",
        affiliation="黄浦代表团",
        jurisdiction=shanghai,
    )
    return person, wife


def code_step(client, capture, texts, mobile=MOBILE):
    with capture(execute=True):
        client.post(SIGN_IN, {"step": "send", "mobile": mobile})
    return client.post(
        SIGN_IN, {"step": "code", "mobile": mobile, "code": last_code(texts, mobile)}
    )


def test_the_right_code_offers_the_names_and_signs_in_as_the_one_chosen(
    couple, texts, client, django_capture_on_commit_callbacks
):
    husband, wife = couple
    page = code_step(client, django_capture_on_commit_callbacks, texts)
    html = page.content.decode()
    assert page.status_code == 200 and "选择身份" in html
    assert "文彬" in html and "林静" in html and "黄浦代表团" in html
    assert MOBILE not in html and "linjing@example.org" not in html and "wenbin@" not in html
    assert "_auth_user_id" not in client.session  # nobody yet

    chosen = next(s for s in signers_for_mobile(MOBILE) if s.proposer == wife)
    page = client.post(SIGN_IN, {"step": "choose", "identity": chosen.key})
    assert page.status_code == 302 and page["Location"] == reverse("portal-home")
    wife.refresh_from_db()
    husband.refresh_from_db()
    assert client.session["_auth_user_id"] == str(wife.user.pk)
    assert husband.user is None  # his account is his own, made when he signs in as himself
    home = client.get(reverse("portal-home"))
    assert home.status_code == 200 and proposer_of(home.wsgi_request.user) == wife
    row = TransitionLog.objects.get(transition="sign_in_by_code")
    assert row.actor == wife.user and "选择" in row.comment and row.object_id == wife.pk


def test_an_identity_not_offered_for_the_proven_mobile_is_refused(
    couple, cosigner, texts, client, django_capture_on_commit_callbacks
):
    code_step(client, django_capture_on_commit_callbacks, texts)
    page = client.post(SIGN_IN, {"step": "choose", "identity": f"proposer-{cosigner.pk}"})
    assert page.status_code == 200 and "请选择以哪个身份登录" in page.content.decode()
    assert "_auth_user_id" not in client.session
    cosigner.refresh_from_db()
    assert (
        cosigner.user is None
        and not TransitionLog.objects.filter(transition="sign_in_by_code").exists()
    )


def test_choosing_without_a_proven_mobile_signs_in_nobody(couple, client):
    husband, _wife = couple
    page = client.post(SIGN_IN, {"step": "choose", "identity": f"proposer-{husband.pk}"})
    assert page.status_code == 200 and "选择身份已超时" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deputy_who_is_also_their_partys_contact_chooses_who_acts(
    person, office, shanghai, texts, client, django_capture_on_commit_callbacks
):
    party = factories.proposer("民盟上海市委", kind=Proposer.Kind.PARTY, jurisdiction=shanghai)
    contact = actions.add_contact_person(party, office, name="文彬", mobile=MOBILE)
    html = code_step(client, django_capture_on_commit_callbacks, texts).content.decode()
    assert "民盟上海市委联系人" in html
    client.post(SIGN_IN, {"step": "choose", "identity": f"contact-{contact.pk}"})
    assert client.session["_auth_user_id"] == str(contact.user.pk)
    assert proposer_of(contact.user) == party
    person.refresh_from_db()
    assert person.user is None or person.user != contact.user  # one account per identity


def test_a_password_signs_in_the_identity_it_belongs_to(couple, client):
    husband, wife = couple
    for proposer in couple:
        from django.db import transaction

        from portal.actions.accounts import account_for
        from portal.selectors import Signer

        with transaction.atomic():
            account = account_for(Signer(proposer))
        account.set_password(f"{proposer.name}-Pass-2024")
        account.save()
    page = client.post(
        SIGN_IN, {"step": "password", "mobile": MOBILE, "password": "林静-Pass-2024"}
    )
    wife.refresh_from_db()
    assert page.status_code == 302 and client.session["_auth_user_id"] == str(wife.user.pk)


def test_the_office_sees_a_shared_mobile_on_the_item_page(couple, office, client):
    husband, wife = couple
    item = factories.filed(office, proposers=[husband], title="关于共用手机号码的提案")
    client.force_login(office)
    factories.just_active(client)
    html = client.get(reverse("item", args=[item.pk])).content.decode()
    assert "还登记给" in html and "林静" in html and "须选择身份" in html


def test_the_door_reads_take_the_same_queries_for_one_proposer_or_many(
    couple, office, shanghai, django_assert_max_num_queries
):
    husband, wife = couple
    party = factories.proposer("民盟上海市委", kind=Proposer.Kind.PARTY, jurisdiction=shanghai)
    actions.add_contact_person(party, office, name="李联络", mobile="13900001111")
    actions.add_contact_person(party, office, name="王联络", mobile=MOBILE)
    elsewhere = factories.jurisdiction("山东省", "province")
    factories.proposer("文彬", phone=MOBILE, jurisdiction=elsewhere)
    with django_assert_max_num_queries(3):
        one = shared_mobiles([party])
    with django_assert_max_num_queries(3):
        door = shared_mobiles([husband, wife, party])
    assert one[party.pk] == door[party.pk]
    assert [c.name for c in door[party.pk]["contacts"]] == ["李联络", "王联络"]
    ((mobile, others),) = door[party.pk]["shared"]
    assert mobile == MOBILE and len(others) == 3 and "其他地区1个身份" in others
    assert not any("李联络" in o for o in others)
    ((_mobile, hers),) = door[wife.pk]["shared"]
    assert any("文彬" in o for o in hers) and not any("林静" in o for o in hers)
    assert door_of([type("Row", (), {"proposer": party})()])[party.pk]["shared"]
