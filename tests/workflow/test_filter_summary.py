"""The folded filters' 筛选 line on a phone says what is chosen, so a clerk knows the list is
narrowed without opening them; a statistics heading may wrap after its "·"."""

from django.template import Context, Template
from django.test import RequestFactory

from workflow.forms import InboxFilter, MonitorFilter
from workflow.templatetags.banli import breakable


def said(form=None, query=""):
    request = RequestFactory().get("/work/" + query)
    template = Template("{% load banli %}{% filter_summary form %}")
    return template.render(Context({"form": form, "request": request}))


def test_the_chosen_filters_are_named_with_their_choice():
    form = InboxFilter({"state": "open", "due": "overdue"})
    assert form.is_valid()
    assert said(form) == "状态：未办结；期限：已逾期"


def test_a_ticked_box_is_named_and_hidden_drill_downs_are_not():
    form = MonitorFilter({"key": "on", "state": "accepted"})
    assert form.is_valid()
    assert said(form) == "只看重点件"


def test_nothing_chosen_says_nothing():
    form = MonitorFilter({})
    assert form.is_valid()
    assert said(form) == ""


def test_a_page_without_a_form_counts_what_its_query_sets():
    assert said(query="?q=公交&year=2024&body=&page=2") == "已选2项"
    assert said(query="?page=3") == ""


def test_a_heading_may_wrap_after_its_dot_and_stays_escaped():
    assert breakable("办理工作·满意") == "办理工作·<wbr>满意"
    assert breakable("<b>") == "&lt;b&gt;"
