from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopapp.languages import catalogue


class Command(BaseCommand):
    help = (
        "Update locale/<language>/LC_MESSAGES/django.po from the templates and Python sources "
        "(--update), compile the .mo files (--compile), or list what is missing (--check)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--update", action="store_true", help="rewrite the .po files")
        parser.add_argument("--compile", action="store_true", help="write missing/stale .mo")
        parser.add_argument("--check", action="store_true", help="fail on an incomplete .po")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (options["update"] or options["compile"] or options["check"]):
            raise CommandError("say what to do: --update, --compile and/or --check")
        if options["update"]:
            for language, count in catalogue.update().items():
                self.stdout.write(f"{language}: {count} untranslated")
        if options["compile"]:
            for path in catalogue.compile_all():
                self.stdout.write(f"compiled {path}")
        if options["check"]:
            found = catalogue.problems()
            for line in found[:200]:
                self.stdout.write(line)
            if found:
                raise CommandError(f"{len(found)} catalogue problems")
            self.stdout.write("catalogues complete")
