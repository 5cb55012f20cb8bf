from celery import shared_task


@shared_task(name="anneal_dummy.tasks.tick")
def tick() -> str:
    return "tick"
