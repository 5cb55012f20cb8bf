"""The image's gunicorn settings (deploy/docker/gunicorn.conf.py) plus the probe's enqueue page."""

import os
import runpy

_image_settings = runpy.run_path(os.environ["ANNEAL_IMAGE_GUNICORN_CONF"])
globals().update({name: value for name, value in _image_settings.items() if not name.startswith("_")})

# Two cores are shared by the whole test suite: one small process per web "node".
workers = 1
threads = 4
accesslog = None


def post_worker_init(worker):
    import anneal_deploy_probe

    worker.wsgi = anneal_deploy_probe.with_enqueue_page(worker.wsgi)
