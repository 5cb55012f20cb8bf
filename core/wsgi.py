import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

application = get_wsgi_application()

if settings.ANNEAL_EMBEDDED_SCHEDULER:
    from core.scheduler import start_embedded_scheduler

    start_embedded_scheduler()
