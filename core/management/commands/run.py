import os
import secrets
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, create a first admin if there is none, and serve the product (the quickstart)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--admin-email", default=os.environ.get("ANNEAL_ADMIN_EMAIL", "admin@example.com"))
        parser.add_argument("--no-serve", action="store_true", help="Prepare the database and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        from core.links import absolute_reverse, adopt_serving_address, base_url_note
        from core.models import User
        from core.services.users import create_user

        if not options["no_serve"]:
            adopt_serving_address(options["addrport"])
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database ready: " + settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]))
        if not User.objects.filter(is_superuser=True).exists():
            password = os.environ.get("ANNEAL_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
            create_user(options["admin_email"], password, is_staff=True, is_superuser=True, name="Administrator")
            self.stdout.write(self.style.WARNING(
                f"\nFirst admin account created:\n  email:    {options['admin_email']}\n  password: {password}\n"
                "Change it after signing in: your name at the top right opens your profile, which links to "
                f"\"Change your password\" ({absolute_reverse('web:password_change')}).\n"
            ))
        if options["no_serve"]:
            return
        from core import product

        self.stdout.write(f"{product.current().name} is starting on http://{options['addrport']}/ (Ctrl-C to stop)")
        self.stdout.write(base_url_note())
        self.serve(options["addrport"])

    def serve(self, addrport: str) -> None:
        """Serve with gunicorn (one process, threads), as in production; the embedded scheduler
        starts in that process (core/wsgi.py)."""
        import sys

        from gunicorn.app.wsgiapp import WSGIApplication

        sys.argv = ["anneal", "core.wsgi:application", "--bind", addrport, "--workers", "1",
                    "--threads", "8", "--access-logfile", "-", "--timeout", "120"]
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
