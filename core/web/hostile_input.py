"""One place that refuses hostile input for every page and API route (``core.input_guard``).

Placed early in ``MIDDLEWARE``: the URL path, the query string, headers, cookies and the body
(form fields, multipart fields, JSON) are checked before sessions, CSRF, authentication or any
view read them. A refusal is a 400 (413 for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``):

* under ``/api/``, the API's problem document (``core.api.errors.problem_response``);
* under a prefix named in the setting ``ANNEAL_INPUT_REFUSAL_RESPONDERS`` (a dict of path
  prefix to the dotted path of ``responder(request, refusal, status) -> HttpResponse``, the
  longest prefix wins), whatever that responder answers: the enterprise package answers SCIM
  errors under its SCIM base this way;
* anywhere else, a plain error page.
"""

from __future__ import annotations

from io import BytesIO
from typing import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files import uploadhandler
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.shortcuts import render
from django.utils.module_loading import import_string

from core.input_guard import InputRefused, check_bytes, check_json, check_text, check_urlencoded

Responder = Callable[[HttpRequest, InputRefused, int], HttpResponse]

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _check_multipart(request: HttpRequest) -> None:
    handlers = [uploadhandler.load_handler(path, request) for path in settings.FILE_UPLOAD_HANDLERS]
    fields, files = MultiPartParser(request.META, BytesIO(request.body), handlers, request.encoding).parse()
    for name, values in fields.lists():
        check_text(name, "form")
        for value in values:
            check_text(value, "form")
    for name, upload in files.items():
        check_text(name, "form")
        check_text(upload.name or "", "uploaded file's name")


def _content_length(request: HttpRequest) -> int:
    text = str(request.META.get("CONTENT_LENGTH") or "0").strip()
    if not (text.isascii() and text.isdigit()):  # Django's request.body would raise ValueError
        raise InputRefused("The Content-Length header is not a number of bytes.", "malformed_body")
    return int(text)


def _check_body(request: HttpRequest) -> None:
    if _content_length(request) <= 0:
        return
    content_type = (request.content_type or "").lower()
    if content_type == FORM:
        check_urlencoded(request.body, "form")
    elif content_type == MULTIPART:
        _check_multipart(request)
    elif is_json(content_type) or request.body.lstrip()[:1] in (b"{", b"["):
        # Also JSON without the JSON type: some endpoints (SCIM) parse the body whatever its type.
        check_json(request.body, "JSON body")
        request.json_body_checked = True  # the API's JSON parser need not scan it again
    elif content_type.startswith("text/"):
        check_bytes(request.body, "body")


def inspect(request: HttpRequest) -> None:
    """Raise ``InputRefused`` for the first hostile part of ``request``."""
    check_text(request.path, "URL")
    check_urlencoded(get_bytes_from_wsgi(request.META, "QUERY_STRING", ""), "query string")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            check_text(value, f"{key[5:].replace('_', '-').title()} header")
    for value in request.COOKIES.values():
        check_text(value, "cookie")
    _check_body(request)


def api_refusal(request: HttpRequest, refusal: InputRefused, status: int) -> HttpResponse:
    from core.api.errors import problem_response

    return problem_response(status, refusal.message, refusal.code)


def page_refusal(request: HttpRequest, refusal: InputRefused, status: int) -> HttpResponse:
    return render(request, "anneal/message.html", {
        "title": "This request cannot be processed", "message": refusal.message,
    }, status=status)


def responder_for(path: str) -> Responder:
    configured = {"/api/": "core.web.hostile_input.api_refusal",
                  **getattr(settings, "ANNEAL_INPUT_REFUSAL_RESPONDERS", {})}
    prefixes = [prefix for prefix in configured if path.startswith(prefix)]
    if not prefixes:
        return page_refusal
    return import_string(configured[max(prefixes, key=len)])


class HostileInputMiddleware:
    """Answers 400 (or 413) to a request carrying input that ``inspect`` refuses."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        status = 400
        try:
            inspect(request)
        except InputRefused as exc:
            refusal = exc
        except RequestDataTooBig:
            refusal = InputRefused(
                f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes, "
                "the most Anneal accepts.", "too_large")
            status = 413
        except (SuspiciousOperation, MultiPartParserError) as exc:
            refusal = InputRefused(f"The request body cannot be read: {exc}", "malformed_body")
        else:
            return self.get_response(request)
        return responder_for(request.path)(request, refusal, status)
