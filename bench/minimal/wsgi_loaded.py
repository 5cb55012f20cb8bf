"""The minimal application, with every module named in ``BENCH_EXTRA_MODULES`` (a JSON file) imported.

``bench/request_floor.py --control-imports`` serves its control server with this: the minimal
application's work in a process as large as Anneal's (the modules Anneal's worker loads and the
minimal application does not), to tell the cost of the process's size from the cost of the work.
"""

from __future__ import annotations

import importlib
import json
import os

from bench.minimal.wsgi import application

__all__ = ["application"]

for _name in json.loads(open(os.environ["BENCH_EXTRA_MODULES"]).read()):
    try:
        importlib.import_module(_name)
    except Exception:  # noqa: BLE001  (a module that needs Anneal's settings: left out)
        pass
