"""``anneal-client``: a command line for a remote Anneal instance, on the typed client.

    export ANNEAL_URL=https://anneal.example.com ANNEAL_TOKEN=anl_...
    anneal-client me
    anneal-client projects acme
    anneal-client create-project acme "Docs" --description "The docs site"
    anneal-client request GET plugins/enterprise/license/

Prints JSON. An API error prints its problem document's ``detail`` and exits with 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import Any, Sequence

from anneal_client.client import AnnealClient, ApiError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="anneal-client", description="Anneal's REST API from the command line.")
    parser.add_argument("--url", default=os.environ.get("ANNEAL_URL"), help="the instance (default: $ANNEAL_URL)")
    parser.add_argument("--token", default=os.environ.get("ANNEAL_TOKEN"), help="an API token (default: $ANNEAL_TOKEN)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("me", help="the token's user")
    commands.add_parser("organizations", help="your organizations")
    projects = commands.add_parser("projects", help="an organization's projects")
    projects.add_argument("organization")
    create = commands.add_parser("create-project", help="create a project")
    create.add_argument("organization")
    create.add_argument("name")
    create.add_argument("--slug")
    create.add_argument("--description", default="")
    request = commands.add_parser("request", help="any operation: METHOD PATH [--json BODY]")
    request.add_argument("method")
    request.add_argument("path", help="relative to /api/v1/")
    request.add_argument("--json", dest="body", help="the request body as JSON")
    return parser


def _run(client: AnnealClient, options: argparse.Namespace) -> Any:
    if options.command == "me":
        return client.me()
    if options.command == "organizations":
        return list(client.organizations())
    if options.command == "projects":
        return list(client.projects(options.organization))
    if options.command == "create-project":
        return client.create_project(options.organization, options.name, options.slug, options.description)
    body = json.loads(options.body) if options.body else None
    return client.request(options.method.upper(), options.path, json=body)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def main(argv: Sequence[str] | None = None) -> int:
    options = _parser().parse_args(argv)
    if not options.url or not options.token:
        print("Give the instance and a token: --url and --token, or ANNEAL_URL and ANNEAL_TOKEN.", file=sys.stderr)
        return 2
    try:
        result = _run(AnnealClient(options.url, options.token), options)
    except ApiError as error:
        print(f"{error.status} {error.code}: {error.detail}", file=sys.stderr)
        for field_error in error.errors:
            print(f"  {field_error.field or '(request)'}: {field_error.detail} [{field_error.code}]", file=sys.stderr)
        return 1
    print(json.dumps(_plain(result), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
