from django import forms, template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workflow.aging import standing_text

register = template.Library()


# Chinese punctuation as an English page writes it: the marks a template puts between
# translated words and data ({% translate "办理期限" %}{% punct "：" %}{{ due }}).
WESTERN_PUNCTUATION = {
    "：": ": ",
    "（": " (",
    "）": ")",
    "、": ", ",
    "；": "; ",
    "，": ", ",
    "。": ". ",
}


@register.simple_tag
def punct(mark):
    """`mark` in the page's language: as is on a Chinese page, its Western form otherwise."""
    if (get_language() or "").startswith("zh"):
        return mark
    return WESTERN_PUNCTUATION.get(mark, mark)


@register.filter
def listed(values):
    """Values in a list as the page's language separates them (、 or a comma)."""
    return punct("、").join(str(value) for value in values)


@register.simple_tag
def deadline_badge(due_on, today):
    """Days left; amber when due within 7 days; red with the days over once overdue."""
    if due_on is None:
        return ""
    kind, text = standing_text(due_on, today)
    return format_html('<span class="badge {}" title="{}">{}</span>', kind, due_on, text)


@register.simple_tag(takes_context=True)
def loads_calendar(context):
    """Whether the person may load the holiday schedule, asked of the calendar's admin (the
    one home of who changes the rows every jurisdiction shares): the notice of a missing
    year links there only for them."""
    from django.contrib import admin

    from workflow.models import CalendarDay

    request = context.get("request")
    calendar_admin = admin.site._registry.get(CalendarDay)
    return bool(request and calendar_admin and calendar_admin.has_change_permission(request))


@register.filter
def proposer_names(proposal, limit=3):
    """领衔人 first, from the prefetched signatories (no query per row)."""
    names = [s.proposer.name for s in proposal.signatories.all()]
    shown = punct("、").join(names[:limit])
    return shown + (_("等%(n)d人") % {"n": len(names)} if len(names) > limit else "")


@register.filter
def unreachable_count(proposal):
    """How many of the item's proposers no channel reaches (`Proposer.has_contact`), from
    the prefetched signatories (no query per row)."""
    return sum(1 for s in proposal.signatories.all() if not s.proposer.has_contact)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (pagination, drill-down)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def dictget(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def headed(values, headings):
    """Each cell of a row beside its column's heading: a phone shows the rows as cards, each
    cell labelled with its heading."""
    return zip(values, headings, strict=False)


@register.filter
def model_name(obj):
    return obj._meta.model_name


@register.simple_tag(takes_context=True)
def filter_summary(context, form=None):
    """What the folded filters of a list hold, for their 筛选 line on a phone: each chosen
    field as "label：choice" when the page has a form, else how many are set in the query."""
    if form is None:
        chosen = [k for k, v in context["request"].GET.items() if v and k != "page"]
        return _("已选%(n)d项") % {"n": len(chosen)} if chosen else ""
    data = getattr(form, "cleaned_data", None) or {}
    parts = []
    for field in form.visible_fields():
        value = data.get(field.name)
        if value in (None, "", False):
            continue
        if value is True:
            parts.append(str(field.label))
            continue
        if isinstance(field.field, forms.ModelChoiceField):
            shown = value  # the chosen row itself; its choices would be another query
        else:
            shown = dict(field.field.choices).get(value, value)
        parts.append(f"{field.label}{punct('：')}{shown}")
    return punct("；").join(parts)


@register.filter
def breakable(text):
    """A heading that may wrap after its "·" or "/" (满意率 headings such as "办理工作·满意"
    are one long word to a browser in English and would widen their column)."""
    escaped = conditional_escape(text)
    return mark_safe(escaped.replace("·", "·<wbr>").replace("/", "/<wbr>"))  # noqa: S308
