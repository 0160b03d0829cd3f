"""Reminders (workflow.reminders sweeps them): the ladder of rungs, the ledger that makes each
reminder happen once, the digests that tell people, and the in-app notification centre."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Jurisdiction

from .assignments import Assignment
from .units import Unit


class DeadlineKind(models.TextChoices):
    REPLY = "reply", _("答复期限")
    OPINION = "opinion", _("会办意见期限")
    TRANSFER = "transfer", _("申请调整期限")
    FEEDBACK = "feedback", _("反馈期限")
    # A reply's promise (responses: Commitment); swept by responses/commitment_reminders.py.
    COMMITMENT = "commitment", _("承诺事项期限")


class Audience(models.TextChoices):
    CLERK = "clerk", _("承办人")
    LEADER = "leader", _("单位领导")
    OFFICE = "office", _("建议提案处")


class ReminderRung(models.Model):
    """One step of the reminder ladder: whom to tell, how many days from the deadline
    (negative: before it), and, once overdue, how often to repeat."""

    deadline_kind = models.CharField(_("期限"), max_length=10, choices=DeadlineKind.choices)
    offset_days = models.SmallIntegerField(
        _("相对期限的天数"), help_text=_("负数为到期前，0为当日，正数为逾期后。")
    )
    audience = models.CharField(_("提醒对象"), max_length=10, choices=Audience.choices)
    repeat_days = models.PositiveSmallIntegerField(
        _("逾期后重复间隔（天）"), default=0, help_text=_("0 表示不重复。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")
        ordering = ["deadline_kind", "offset_days", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline_kind", "offset_days", "audience"], name="rung_unique"
            ),
            models.CheckConstraint(
                condition=Q(repeat_days=0) | Q(offset_days__gt=0), name="rung_repeats_when_overdue"
            ),
        ]

    def __str__(self):
        kind, audience = self.get_deadline_kind_display(), self.get_audience_display()
        return f"{kind} {self.offset_days:+d} {audience}"


class ReminderQuerySet(models.QuerySet):
    def reached(self, user):
        """The reminders `user` was told about: those their digests covered."""
        told = ReminderDigest.objects.filter(
            Q(unit=OuterRef("unit"))
            | Q(unit__isnull=True, jurisdiction=OuterRef("unit__jurisdiction")),
            recipient=user,
            created_at=OuterRef("created_at"),
            batch=OuterRef("batch"),
            audience=OuterRef("rung__audience"),
        )
        return self.filter(Exists(told))

    def in_due_order(self):
        return self.order_by("due_on", "assignment_id", "rung_id")


class LedgerRow(models.Model):
    """What every reminder ledger row holds beside its item: the item's unit, copied so a
    sweep's digests are counted from the ledger alone; the rung and its repeat; the due date
    it was sent for; and the sweep that wrote it. References without database constraints,
    for the reason Reminder gives."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    rung = models.ForeignKey(
        ReminderRung,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    repeat = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField()
    # One value per sweep, increasing with each: rows of a sweep are found by it (a BRIN index
    # on PostgreSQL, where the rows lie in the order they were written) and then by batch.
    created_at = models.DateTimeField(default=timezone.now)
    batch = models.UUIDField()

    class Meta:
        abstract = True


class Reminder(LedgerRow):
    """The ledger: a reminder is issued by inserting its row, so the unique key — assignment,
    rung, repeat, deadline version — makes every reminder happen once, however often,
    however concurrently, the sweep runs. Who hears of it is the digest's business: one row
    per item, not per person, keeps a backlog sweep to one row per overdue item.

    The references are not database foreign keys. The sweep writes rows only from a join
    of the assignment and the rung, in one insert-only statement, so a reference cannot
    dangle when written; a per-row foreign-key trigger would re-check 650,000 times what
    the join proved, about half of a first sweep at national scale (bench/README.md).
    Deleting through Django still cascades (an assignment) and protects (a rung in use).
    The key is the primary key: a separate id would be one more index to write per row."""

    # The rung implies the deadline kind: the key is four integers.
    pk = models.CompositePrimaryKey("assignment_id", "rung_id", "repeat", "due_version")
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_constraint=False,
        db_index=False,  # the primary key starts with it
    )
    deadline_kind = models.CharField(max_length=10, choices=DeadlineKind.choices)
    due_version = models.PositiveIntegerField()

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")

    def __str__(self):
        return f"{self.assignment_id} {self.deadline_kind} {self.rung_id}/{self.repeat}"


class ReminderDigest(models.Model):
    """What one sweep told one person: a unit's new reminders for their role in it, or, for
    the proposal office, its jurisdiction's at once. One notification, one mail and one text
    per digest, however many items it covers."""

    batch = models.UUIDField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    audience = models.CharField(_("提醒对象"), max_length=10, choices=Audience.choices)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    # Empty for the office: its digest covers every unit of the jurisdiction.
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Empty: the assignments' deadlines (this app's ledger); COMMITMENT: the commitments'
    # ledger of the responses app, which lists and links them itself.
    deadline_kind = models.CharField(
        _("期限"), max_length=10, choices=DeadlineKind.choices, blank=True, db_default=""
    )
    items = models.PositiveIntegerField(_("件数"))
    overdue = models.PositiveIntegerField(_("其中逾期"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    # Each channel delivers on its own; a failed one never holds up the others.
    emailed_at = models.DateTimeField(null=True, blank=True)
    texted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("提醒汇总")
        verbose_name_plural = _("提醒汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "recipient", "unit", "audience"],
                condition=Q(unit__isnull=False),
                name="digest_once_per_unit_role",
            ),
            models.UniqueConstraint(
                fields=["batch", "recipient", "jurisdiction"],
                condition=Q(unit__isnull=True),
                name="digest_once_per_office",
            ),
            models.CheckConstraint(
                condition=Q(audience="office", unit__isnull=True)
                | (~Q(audience="office") & Q(unit__isnull=False)),
                name="digest_office_has_no_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "emailed_at"], name="digest_email_queue"),
            models.Index(fields=["recipient", "texted_at"], name="digest_sms_queue"),
        ]

    def __str__(self):
        return f"{self.recipient} {self.scope} {self.items}"

    @property
    def scope(self):
        """What the digest speaks of: the unit, or for the office the jurisdiction."""
        return self.unit or self.jurisdiction

    def covers(self):
        """A filter on ledger rows: those of this digest's audience and scope, any sweep."""
        if self.unit_id:
            scope = Q(unit_id=self.unit_id)
        else:
            scope = Q(unit__jurisdiction_id=self.jurisdiction_id)
        return scope & Q(rung__audience=self.audience)

    @property
    def is_commitments(self):
        return self.deadline_kind == DeadlineKind.COMMITMENT

    def reminders(self):
        """The ledger rows this digest told its recipient about (none of this app's for a
        digest of commitments)."""
        return Reminder.objects.filter(self.covers(), created_at=self.created_at, batch=self.batch)


class Notification(models.Model):
    """The in-app notification centre: reminders, 催办, and notices to the office."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    digest = models.OneToOneField(
        ReminderDigest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
    )
    # For notices that must reach someone once (e.g. the yearly calendar reminder, or an
    # event of workflow.notices: "event:subject"), the ledger of what was told.
    key = models.CharField(max_length=100, null=True, blank=True)
    # The workflow.notices event this notice announces; empty for reminders and older notices.
    event = models.CharField(_("事件"), max_length=30, blank=True)
    # When a notice of an event went out by mail and by text (at once or in a digest); empty
    # while it has not, or never will (the person chose not to hear by that channel).
    emailed_at = models.DateTimeField(null=True, blank=True)
    texted_at = models.DateTimeField(null=True, blank=True)
    # Sends that raised something other than a network error (workflow.dispatch): counted,
    # and past a few (or at once, for a notice that can never be sent as it is, like a bad
    # mail header) the notice is marked failed and no sweep tries it again.
    send_attempts = models.PositiveSmallIntegerField(default=0)
    send_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_key_once"),
        ]

    def __str__(self):
        return self.title
