"""Give every active unit a signing key and certificate issued by this installation's root
(made first if needed). Units that have one keep it unless --renew; --reencrypt seals every
stored key again under the current SECRET_KEY (after rotating it, with the old one in
SECRET_KEY_FALLBACKS)."""

from django.core.management.base import BaseCommand

from responses import signing
from responses.models import SigningCertificate
from workflow.models import Unit


class Command(BaseCommand):
    help = "Issue signing keys and certificates to units (electronic seal of sent letters)."

    def add_arguments(self, parser):
        parser.add_argument("--renew", action="store_true", help="new keys for every unit")
        parser.add_argument("--reencrypt", action="store_true", help="seal keys anew")

    def handle(self, *args, renew=False, reencrypt=False, **options):
        if reencrypt:
            count = signing.reencrypt()
            self.stdout.write(f"re-encrypted {count} keys under the current SECRET_KEY")
            return
        root = signing.root()
        self.stdout.write(f"root {root.fingerprint}")
        for unit in Unit.objects.filter(is_active=True):
            has = SigningCertificate.objects.filter(unit=unit, retired_at__isnull=True).first()
            if has and not renew:
                self.stdout.write(f"kept   {unit.name} {has.fingerprint}")
                continue
            made = signing.issue(unit)
            self.stdout.write(f"issued {unit.name} {made.fingerprint}")
