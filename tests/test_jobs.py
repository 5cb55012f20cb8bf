"""Background jobs: in-process on the embedded default, real Celery workers with Redis."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.jobs import app, configure_from_plugins
from core.plugins import PeriodicTask, hookimpl


def make_expired_session() -> str:
    session = Session.objects.create(session_key="expired-session", session_data="",
                                     expire_date=timezone.now() - timedelta(days=1))
    return session.session_key


def test_every_periodic_task_is_known_to_this_process():
    """The embedded scheduler runs them here, so the web process must have imported them all."""
    unknown = {entry["task"] for entry in app.conf.beat_schedule.values()} - set(app.tasks)
    assert unknown == set()


def test_the_core_schedules_its_periodic_jobs_through_the_hook():
    assert app.conf.beat_schedule["core.clear-expired-sessions"]["task"] == "core.clear_expired_sessions"


@pytest.mark.django_db
def test_an_invitation_email_is_sent_by_a_job_after_commit(make_organization, mailoutbox, jobs_in_process,
                                                          django_capture_on_commit_callbacks):
    from core.services.invitations import invite

    with django_capture_on_commit_callbacks(execute=True):
        invite(make_organization(), "new@example.com", "member", None)
    assert [m.to for m in mailoutbox] == [["new@example.com"]]
    assert "/invitations/" in mailoutbox[0].body


@pytest.mark.django_db
def test_the_embedded_scheduler_runs_due_periodic_tasks_in_process(anneal_plugin, settings):
    from core.scheduler import EmbeddedScheduler

    if not app.conf.task_always_eager:
        pytest.skip("the embedded scheduler is for the embedded default")
    make_expired_session()
    scheduler = EmbeddedScheduler()
    assert scheduler.run_due(now=0.0) == []  # first sight: scheduled one interval ahead
    ran = scheduler.run_due(now=3601.0)
    assert "core.clear-expired-sessions" in ran
    assert not Session.objects.filter(session_key="expired-session").exists()


def test_plugins_add_periodic_tasks(anneal_plugin):
    class Nightly:
        @hookimpl
        def anneal_periodic_tasks(self):
            return [PeriodicTask("test.nightly", "core.clear_expired_sessions", seconds=86400)]

    anneal_plugin(Nightly())
    try:
        configure_from_plugins()
        assert app.conf.beat_schedule["test.nightly"]["schedule"] == 86400
    finally:
        configure_from_plugins()


@pytest.mark.services
def test_a_real_worker_runs_a_job_sent_through_redis(celery_worker_process):
    session_key = make_expired_session()
    deleted = app.send_task("core.clear_expired_sessions").get(timeout=60)
    assert deleted >= 1
    assert not Session.objects.filter(session_key=session_key).exists()


@pytest.mark.services
def test_the_readiness_check_sees_the_worker(celery_worker_process, client):
    from core.health import run_checks

    workers = next(o for o in run_checks() if o.id == "workers")
    assert workers.ok, workers.message
