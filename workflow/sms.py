"""SMS behind a small interface: a file or console backend by default; a real gateway is a
settings change (SMS_BACKEND = "dotted.path.Backend", with its own settings)."""

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class FileBackend:
    """Appends each message to var/sms.log: what a gateway would have sent."""

    def send(self, phone, text):
        with open(settings.VAR_DIR / "sms.log", "a", encoding="utf-8") as out:
            out.write(f"{timezone.now().isoformat()}\t{phone}\t{text}\n")


class ConsoleBackend:
    def send(self, phone, text):
        print(f"SMS to {phone}: {text}")  # noqa: T201


class MemoryBackend:
    """For tests: keeps what was sent."""

    outbox: list = []

    def send(self, phone, text):
        self.outbox.append((phone, text))


def backend():
    return import_string(settings.SMS_BACKEND)()
