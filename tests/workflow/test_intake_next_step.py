"""After 登记 the item page offers the next step the machine accepts for the item's kind
(立案 for a suggestion, 提交审查 for a proposal), and only those; a refused intake keeps
every value the office typed, the proposer rows included."""

import re
from html.parser import HTMLParser

import pytest

from proposals.models import Proposal, Session
from tests import factories

pytestmark = pytest.mark.django_db


class FormValues(HTMLParser):
    """What a browser would post from the page: each field's value as the page fills it."""

    def __init__(self):
        super().__init__()
        self.values, self.select, self.textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[attrs["name"]] = attrs.get("value", "on")
            else:
                self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and "selected" in attrs:
            self.values[self.select] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.values[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data


def form_values(page):
    parser = FormValues()
    parser.feed(page)
    return parser.values


def review_form(page):
    return re.search(r'<form[^>]*data-action="review".*?</form>', page, re.S)[0]


def review_options(page):
    """The review results as the office sees them, the first being the default: the select's
    options, or the one plain button when a single result is offered."""
    form = review_form(page)
    select = re.search(r'<select name="verb" id="id_verb">(.*?)</select>', form, re.S)
    if select is None:
        value = re.search(r'<input type="hidden" name="verb" value="([^"]+)">', form)[1]
        return [(value, re.search(r'<button type="submit">([^<]+)</button>', form)[1])]
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select[1])


@pytest.fixture
def signed_in(client, office):
    client.force_login(office)
    return client


def register(client, session, kind, proposer_kind, number="7"):
    data = {
        "kind": kind,
        "session": session.pk,
        "number": number,
        "title": "关于加快老旧小区加装电梯的建议",
        "proposer_kind": proposer_kind,
        "p0-name": "王芳",
    }
    response = client.post("/office/proposals/new", data)
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"]).content.decode(), Proposal.objects.get(number=number)


def test_a_suggestion_is_offered_filing_first_and_the_default_is_accepted(signed_in, shanghai):
    session = factories.session(shanghai, body=Session.Body.NPC)
    page, item = register(signed_in, session, "suggestion", "deputy")

    options = review_options(page)
    assert options[0] == ("file", "立案")
    assert "start_review" not in dict(options)  # the machine refuses review for a suggestion

    # The office submits the form as the page offers it: the default is taken.
    posted = signed_in.post(f"/office/proposals/{item.pk}/review", {"verb": options[0][0]})
    item.refresh_from_db()
    assert item.state == "filed", signed_in.get(posted["Location"]).content.decode()


def test_a_proposal_goes_to_review_first_and_then_to_filing(signed_in, shanghai):
    session = factories.session(shanghai)
    page, item = register(signed_in, session, "proposal", "member")

    # a single result: a plain 提交审查 button, without the fields no result here reads
    assert review_options(page) == [("start_review", "提交审查")]
    form = review_form(page)
    assert "审查结果" not in form and 'name="verb" id="id_verb"' not in form
    assert "理由或意见" not in form and "并入案号" not in form

    signed_in.post(f"/office/proposals/{item.pk}/review", {"verb": "start_review"})
    page = signed_in.get(f"/items/{item.pk}/").content.decode()
    assert [value for value, _label in review_options(page)] == [
        "file",
        "reject",
        "merge",
        "return",
        "convert",
    ]
    form = review_form(page)
    assert "审查结果" in form and "理由或意见" in form and "并入案号" in form


def test_the_merge_field_shows_only_when_merging_is_offered(signed_in, shanghai):
    session = factories.session(shanghai, body=Session.Body.NPC)
    page, _item = register(signed_in, session, "suggestion", "deputy")
    assert "merge" not in dict(review_options(page))
    assert "并入案号" not in review_form(page)


def test_a_duplicate_number_keeps_every_typed_value(signed_in, office, shanghai):
    session = factories.session(shanghai)
    factories.proposal(office, sess=session, number="2001")
    typed = {
        "kind": "proposal",
        "session": str(session.pk),
        "number": "2001",
        "title": "关于加强干细胞临床研究监管的提案",
        "proposer_kind": "member",
        "body": "第一段。\n第二段。",
        "topic": "医疗卫生",
        "is_key": "on",
        "supervising_leader": "李副市长",
        "p0-name": "周敏",
        "p0-affiliation": "医药卫生界",
        "p0-phone": "139 1234 5678",
        "p0-email": "zhoumin@example.org",
        "p0-address": "上海市徐汇区肇嘉浜路1号",
        "p0-preferred_channel": "sms",
        "p1-name": "张远波",
        "p1-email": "zyb@example.org",
        "p1-preferred_channel": "email",
        "p2-name": "朱军红",
        "p2-address": "上海市黄浦区人民大道200号",
        "p2-preferred_channel": "paper",
    }

    response = signed_in.post("/office/proposals/new", typed)

    page = response.content.decode()
    assert response.status_code == 200 and "案号不能重复" in page, re.findall(
        r"<ul class=\"errorlist[^>]*>.*?</ul>", page
    )
    shown = form_values(page)
    assert {key: shown.get(key, "").replace("\r\n", "\n").strip("\n") for key in typed} == typed
    assert Proposal.objects.count() == 1
