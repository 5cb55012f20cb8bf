"""The ``anneal`` command: Django management plus subcommands contributed by plugins."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    from django.conf import settings

    settings.INSTALLED_APPS  # loads the settings, and with them the plugins that may declare a product
    from core import product

    argv[0] = product.current().cli_name
    if argv[1:] == ["--version"]:
        print(f"{argv[0]} {product.current().version}")
        return 0
    import django
    from django.core.management import execute_from_command_line

    if argv[1:] in ([], ["help"], ["--help"], ["-h"]):
        django.setup()
        from core.cli_help import help_text
        from core.plugins import hooks

        print(help_text(hooks.commands()), end="")
        return 0
    if len(argv) > 1 and not argv[1].startswith("-"):
        django.setup()
        from core.plugins import hooks

        command_class = hooks.commands().get(argv[1])
        if command_class is not None:
            command_class().run_from_argv(argv)
            return 0
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
