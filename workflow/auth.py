from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, OuterRef, Subquery

from proposals.models import User

from .models import Notification


class Backend(ModelBackend):
    """The signed-in user is loaded with their unread notification count (the header shows
    it on every page) in the same query, not one more per page."""

    def get_user(self, user_id):
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        user = (
            User._default_manager.annotate(unread_notifications=Subquery(unread))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
