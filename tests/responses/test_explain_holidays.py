"""期限说明 names the holidays met: in Chinese the day and its name run on (5月1日劳动节); in
English the name, which is the calendar's own Chinese, stands apart in brackets."""

from datetime import date

from django.template.loader import render_to_string
from django.utils import translation


def rendered(language):
    ex = {"holidays": [(date(2026, 5, 1), "劳动节")], "makeups": []}
    with translation.override(language):
        return render_to_string("responses/_explain.html", {"ex": ex})


def test_a_holiday_reads_as_its_day_and_name_in_either_language():
    assert "5月1日劳动节" in rendered("zh-hans")
    english = rendered("en")
    assert "(劳动节)" in english and "May劳动节" not in english
