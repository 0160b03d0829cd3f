"""The admin, scoped to the office's jurisdictions: the one home of what an office member may
see and change there (who is office where is `roles.Roles`).

The rule, once: a superuser (the system administrator) sees and changes everything. Anyone
else reaches a model's admin only as an office member, and only the rows that belong to one of
their office's jurisdictions (`jurisdiction_path` names how a row leads to its jurisdiction).
Rows every jurisdiction shares (`jurisdiction_path = None`: the holiday calendar, the reminder
ladder) are read by every office and changed only by an office of every jurisdiction there is.
Every choice a form offers, every list filter and every search runs over those rows only, and
a row an office saves must still be one of its own. The group's model permissions bound it
further (`workflow.actions.office_permissions`).

Every change made here is logged with its old and new values (`construct_change_message`):
the superuser reads them under 管理日志. Fields an admin names `private_fields` (a proposer's
phone and email) and passwords are logged by name only, never their values.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .admin_accessible import named_widget
from .admin_labels import label_filters, labelled_columns, labels_for
from .roles import roles_of

VERBS = frozenset({"view", "add", "change", "delete"})
MAX_SHOWN = 200  # characters of a value kept in the log


def people_in_care(users, jurisdiction_ids):
    """The accounts an office administers: ordinary people of its own units. Not staff, not a
    superuser, no office, no group or permission of their own, no proposer's login, and every
    unit they belong to in one of the office's jurisdictions (so resetting a password never
    opens another jurisdiction's work)."""
    from .models import UnitMembership

    elsewhere = UnitMembership.objects.filter(user=OuterRef("pk")).exclude(
        unit__jurisdiction__in=jurisdiction_ids
    )
    mine = UnitMembership.objects.filter(
        user=OuterRef("pk"), unit__jurisdiction__in=jurisdiction_ids
    )
    return users.filter(
        Exists(mine),
        ~Exists(elsewhere),
        is_staff=False,
        is_superuser=False,
        office_memberships__isnull=True,
        groups__isnull=True,
        user_permissions__isnull=True,
        proposer__isnull=True,
    )


class ScopedForm(forms.Form):
    """An admin action's form whose choices are narrowed to the acting user's rows."""

    takes_request = True

    def __init__(self, *args, request=None, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if hasattr(field, "queryset") and request is not None:
                field.queryset = narrow(admin_site or admin.site, request, field.queryset)


def narrow(admin_site, request, queryset):
    """`queryset` reduced to the rows the user's admin shows (none for a model it has not)."""
    if request.user.is_superuser:
        return queryset
    model_admin = admin_site._registry.get(queryset.model)
    if isinstance(model_admin, JurisdictionScopedAdmin):
        return model_admin.scope(request, queryset)
    return queryset.none()


class JurisdictionScopedAdmin(admin.ModelAdmin):
    """Mixed in first by every Banli admin. See the module's rule."""

    jurisdiction_path = None  # the lookup from a row to its Jurisdiction; None: shared by all
    office_may = VERBS  # what an office may do here at most (its permissions bound it too)
    superuser_only = False
    private_fields = ()  # logged by name only (contacts): never their old or new values

    # ---- which rows ------------------------------------------------------------------------
    def scope(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        roles = roles_of(request)
        if self.superuser_only or not roles.is_office:
            return queryset.none()
        return self.office_rows(queryset, roles.office_jurisdiction_ids)

    def office_rows(self, queryset, jurisdiction_ids):
        if self.jurisdiction_path is None:
            return queryset
        lookup = {f"{self.jurisdiction_path}__in": jurisdiction_ids}
        # A subquery, not a join: a path through many rows never repeats one.
        return queryset.filter(pk__in=self.model._default_manager.filter(**lookup).values("pk"))

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def in_scope(self, request, obj):
        return self.scope(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    # ---- what the user may do ----------------------------------------------------------------
    def office_allows(self, request, verb, obj=None):
        if request.user.is_superuser:
            return True
        roles = roles_of(request)
        if self.superuser_only or not roles.is_office or verb not in self.office_may:
            return False
        if verb != "view" and self.jurisdiction_path is None and not roles.is_office_everywhere:
            return False
        return obj is None or self.in_scope(request, obj)

    def has_module_permission(self, request):
        return self.office_allows(request, "view") and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.office_allows(request, "view", obj) and super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request, *args):
        return self.office_allows(request, "add") and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.office_allows(request, "change", obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return self.office_allows(request, "delete", obj) and super().has_delete_permission(
            request, obj
        )

    # ---- every choice, filter and saved row within the scope ----------------------------------
    def get_form(self, request, obj=None, **kwargs):
        """Chinese labels where a model names a field only in English (admin_labels); the
        read-only fields take theirs from the form's labels too."""
        form_meta = getattr(kwargs.get("form", self.form), "Meta", None)
        own = {**(getattr(form_meta, "labels", None) or {}), **(kwargs.get("labels") or {})}
        kwargs["labels"] = {**labels_for(self.model), **own}
        return super().get_form(request, obj, **kwargs)

    def get_list_display(self, request):
        return labelled_columns(self.model, super().get_list_display(request))

    def get_changelist_instance(self, request):
        return label_filters(super().get_changelist_instance(request))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        widget = named_widget(self, db_field, labels_for(self.model).get(db_field.name))
        if widget is not None and "widget" not in kwargs:
            kwargs["widget"] = widget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._narrowed(request, formfield)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._narrowed(request, formfield)

    def _narrowed(self, request, formfield):
        if formfield is not None and getattr(formfield, "queryset", None) is not None:
            formfield.queryset = narrow(self.admin_site, request, formfield.queryset)
        return formfield

    def get_list_filter(self, request):
        """A filter on a relation offers only the related rows the list itself holds."""
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [
            (f, admin.RelatedOnlyFieldListFilter) if _is_relation(self.model, f) else f
            for f in filters
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not self.in_scope(request, form.instance):
            raise PermissionDenied(_("只能管理本级建议提案处所辖的数据。"))

    # ---- the log: what changed, from what to what ----------------------------------------------
    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        values = changed_values(form, self.private_fields)
        if not values:
            return message
        # Django's first entry is the form's own ("added", or the changed labels): keep an
        # addition's mark, and say each field's old and new value instead of its label.
        head = [{"added": {}}] if add else []
        return [*head, {"changed": {"fields": values}}, *message[1:]]


def _is_relation(model, entry):
    if not isinstance(entry, str):
        return False
    try:
        return get_fields_from_path(model, entry)[-1].is_relation
    except (FieldDoesNotExist, NotRelationField):
        return False


def changed_values(form, private=()):
    """`标签：旧 → 新` for each field the form changed; a password and the `private` fields
    only by name, never a value."""
    out = []
    for name in form.changed_data:
        field = form.fields.get(name)
        label = str(field.label or name) if field is not None else name
        if "password" in name:
            label = gettext("密码")
        if "password" in name or name in private:
            if label not in out:
                out.append(label)
            continue
        old = shown(field, form.initial.get(name))
        new = shown(field, form.cleaned_data.get(name))
        out.append(f"{label}：{old} → {new}")
    return out


def shown(field, value):
    if value is None or value == "" or value == []:
        text = gettext("（空）")
    elif isinstance(value, bool):
        text = gettext("是") if value else gettext("否")
    elif isinstance(field, forms.ModelMultipleChoiceField):
        text = "、".join(str(_model_row(field, v)) for v in value)
    elif isinstance(field, forms.ModelChoiceField):
        text = str(_model_row(field, value))
    elif isinstance(field, forms.ChoiceField):
        text = str(dict(_flat(field.choices)).get(value, value))
    else:
        text = str(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _model_row(field, value):
    if hasattr(value, "_meta"):
        return value
    row = field.queryset.model._default_manager.filter(pk=value).first()
    return row if row is not None else value


def _flat(choices):
    for key, label in choices:
        if isinstance(label, (list, tuple)):
            yield from _flat(label)
        else:
            yield key, label
