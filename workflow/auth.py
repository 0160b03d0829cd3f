from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, Exists, OuterRef, Subquery
from django_otp.plugins.otp_totp.models import TOTPDevice

from proposals.models import User

from .models import Notification


class Backend(ModelBackend):
    """The signed-in user is loaded with their unread notification count (the header shows
    it on every page) and whether they have a second factor (asked on every page until it is
    passed) in the same query, not one more each per page."""

    def get_user(self, user_id):
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        user = (
            User._default_manager.annotate(
                unread_notifications=Subquery(unread),
                has_second_factor=Exists(
                    TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
                ),
            )
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
