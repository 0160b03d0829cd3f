"""The admin's widgets and filters, made to name every control for screen readers (issue 21:
axe found Django's date-and-time pair unlabelled, its 日期 and 时间 being plain text, and a
filter's link for an empty value with no text at all)."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils.translation import gettext_lazy as _


class LabelledSplitDateTime(AdminSplitDateTime):
    """The date box and the time box each named after their field: "收到时间 日期"."""

    def __init__(self, label="", attrs=None):
        self.label = label
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        words = (context["date_label"], context["time_label"])
        for box, word in zip(context["widget"]["subwidgets"], words, strict=True):
            box["attrs"]["aria-label"] = f"{self.label} {str(word).rstrip(':：')}".strip()
        return context


def named_widget(admin_class, db_field, label=None):
    """The widget for a date-and-time field, named for its field (None for other fields)."""
    override = admin_class.formfield_overrides.get(db_field.__class__, {})
    widget = override.get("widget")
    if isinstance(widget, type) and issubclass(widget, AdminSplitDateTime):
        return LabelledSplitDateTime(label=label or db_field.verbose_name)
    return None


class NamedValuesFilter(admin.AllValuesFieldListFilter):
    """Each distinct value, the empty one under a word instead of a link without text."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if not str(choice["display"]).strip():
                choice["display"] = _("（空）")
            yield choice
