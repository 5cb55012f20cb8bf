"""Install N trivial plugins (a module and a ``.dist-info`` each) into a throwaway folder.

Each one implements every hook the core may call while serving a request and does nothing
(and declares, as a plugin answering ``anneal_feature_enabled`` should, for how long its
answers hold), so the benchmark measures the cost of the plugin machinery itself.
"""

from __future__ import annotations

from pathlib import Path

PER_REQUEST_HOOKS = '''
from core.plugins import hookimpl

anneal_requires = ">=0.1"


@hookimpl
def anneal_authentication_policy(user, method, request):
    return None


@hookimpl
def anneal_action_policy(action, actor, organization, details):
    return None


@hookimpl
def anneal_organization_role(user, organization):
    return None


@hookimpl
def anneal_feature_enabled(name, organization):
    return None


@hookimpl
def anneal_feature_answers_valid_for():
    return 3600.0  # no opinion on any feature, ever: the core may cache around it


@hookimpl
def anneal_event(event):
    return None


@hookimpl
def anneal_event_committed(event):
    return None


@hookimpl
def anneal_navigation(request, organization):
    return []


@hookimpl
def anneal_settings_sections(request, organization):
    return []


@hookimpl
def anneal_template_slot(slot, request, context):
    return None


@hookimpl
def anneal_sign_in_methods(request):
    return []
'''


def install(site: Path, count: int) -> Path:
    """Write ``count`` trivial plugins into ``site`` (put it on ``PYTHONPATH``)."""
    site.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        module = f"anneal_bench_{number}"
        (site / f"{module}.py").write_text(PER_REQUEST_HOOKS)
        info = site / f"anneal_bench_{number}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: anneal-bench-{number}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[anneal]\nbench-{number} = {module}\n")
    return site
