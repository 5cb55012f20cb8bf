#!/bin/sh
# The image's entry point: the first argument names the process to run.
#   web       gunicorn serving core.wsgi:application on $ANNEAL_PORT (default 8000), with the
#             settings in $ANNEAL_GUNICORN_CONFIG (default /etc/anneal/gunicorn.conf.py)
#   worker    a Celery worker (`anneal worker`); extra arguments go to Celery
#   beat      the periodic-job scheduler (`anneal beat`); run exactly one
#   migrate   apply database migrations, then exit (the one-shot job before an upgrade)
#   anneal …  any other `anneal` subcommand, e.g. `anneal doctor` or `anneal backup`
# Anything else is run as given (a shell for debugging, for example).
set -eu

case "${1:-web}" in
  web)
    [ "$#" -gt 0 ] && shift
    exec gunicorn --config "${ANNEAL_GUNICORN_CONFIG:-/etc/anneal/gunicorn.conf.py}" "$@" core.wsgi:application
    ;;
  worker)
    shift
    exec anneal worker "$@"
    ;;
  beat)
    shift
    exec anneal beat "$@"
    ;;
  migrate)
    shift
    exec anneal migrate --noinput "$@"
    ;;
  anneal)
    shift
    exec anneal "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
