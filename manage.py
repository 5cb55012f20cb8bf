#!/usr/bin/env python
"""Django's command-line utility; ``anneal`` is the same with plugin subcommands added."""

import sys

from core.cli import main

if __name__ == "__main__":
    sys.exit(main())
