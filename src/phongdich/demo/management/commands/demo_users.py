"""``manage.py demo_users``: one demo user per role, printed with their passwords (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phongdich.demo.users import MissingUnits, ensure_demo_users


class Command(BaseCommand):
    help = "Create (or reset) one demo user per role; password from DEMO_PASSWORD or the documented default."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-table", action="store_true", help="Do not print the table of users.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            users = ensure_demo_users()
        except MissingUnits as exc:
            raise CommandError(str(exc)) from exc
        created = sum(1 for u in users if u.created)
        self.stdout.write(self.style.SUCCESS(f"Demo users: {created} created, {len(users) - created} reset."))
        if options["quiet_table"]:
            return
        rows = [("Role / Vai trò", "Username", "Password", "Unit / Đơn vị")]
        rows += [(str(u.spec.role.label), u.user.username, u.password, str(u.user.unit)) for u in users]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        self.stdout.write(line)
        for i, row in enumerate(rows):
            self.stdout.write("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
            if i == 0:
                self.stdout.write(line)
        self.stdout.write(line)
