"""``AnnealClient``: the operations of ``/api/v1/`` as typed methods."""

from __future__ import annotations

import time
from typing import Any, Iterator, TypeVar

import requests

from anneal_client.models import ApiToken, FieldError, Invitation, Member, Organization, Project, User, from_json

T = TypeVar("T")


class ApiError(Exception):
    """An error answer of the API, from its RFC 9457 problem document."""

    def __init__(self, status: int, code: str, detail: str, errors: list[FieldError]) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors

    def field_codes(self) -> dict[str, str]:
        """``{field: code}`` of each invalid field."""
        return {error.field: error.code for error in self.errors if error.field}

    @classmethod
    def from_response(cls, response: requests.Response) -> "ApiError":
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        errors = [FieldError(e.get("field"), str(e.get("code", "")), str(e.get("detail", "")))
                  for e in body.get("errors") or [] if isinstance(e, dict)]
        error_class = RateLimited if response.status_code == 429 else cls
        error = error_class(response.status_code, str(body.get("code", "error")),
                            str(body.get("detail", response.reason)), errors)
        if isinstance(error, RateLimited):
            error.retry_after = int(response.headers.get("Retry-After", "1") or 1)
        return error


class RateLimited(ApiError):
    """429: wait ``retry_after`` seconds."""

    retry_after: int = 1


class AnnealClient:
    """A client of one Anneal instance, authenticated with a personal API token."""

    PAGE_SIZE = 200  # rows per list request: the server's maximum

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0, retry_throttled: int = 0,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry_throttled = retry_throttled
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept"] = "application/json"

    # --- the general operation ---------------------------------------------------------------
    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        """Calls ``path`` (relative to ``/api/v1/``, or absolute); the decoded JSON, or ``None`` for 204."""
        url = path if path.startswith("http") else f"{self.base_url}/api/v1/{path.lstrip('/')}"
        for attempt in range(self.retry_throttled + 1):
            response = self.session.request(method, url, json=json, params=params, timeout=self.timeout)
            if response.status_code == 429 and attempt < self.retry_throttled:
                time.sleep(int(response.headers.get("Retry-After", "1") or 1))
                continue
            break
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return None if response.status_code == 204 or not response.content else response.json()

    def _pages(self, cls: type[T], path: str, params: dict[str, Any] | None = None) -> Iterator[T]:
        """Every row of a list: the server pages with a cursor, so this follows ``next`` to the end.

        Pages of ``PAGE_SIZE`` rows (the server's maximum) keep the number of requests low; pass
        ``page_size`` in ``params`` to choose another size.
        """
        params = {"page_size": self.PAGE_SIZE, **(params or {})}
        page: Any = self.request("GET", path, params={k: v for k, v in params.items() if v is not None})
        while True:
            for item in page["results"]:
                yield from_json(cls, item)
            if not page.get("next"):
                return
            page = self.request("GET", page["next"])

    # --- you -------------------------------------------------------------------------------------
    def me(self) -> User:
        return from_json(User, self.request("GET", "me/"))

    def tokens(self) -> Iterator[ApiToken]:
        return self._pages(ApiToken, "tokens/")

    def create_token(self, name: str, expires_at: str | None = None) -> ApiToken:
        """A new token; its ``token`` value is in this answer only."""
        body = {"name": name, **({"expires_at": expires_at} if expires_at else {})}
        return from_json(ApiToken, self.request("POST", "tokens/", json=body))

    def revoke_token(self, token_id: int) -> None:
        self.request("DELETE", f"tokens/{token_id}/")

    def accept_invitation(self, token: str) -> Member:
        return from_json(Member, self.request("POST", "invitations/accept/", json={"token": token}))

    # --- organizations ---------------------------------------------------------------------------
    def organizations(self, search: str | None = None) -> Iterator[Organization]:
        return self._pages(Organization, "organizations/", {"search": search})

    def organization(self, slug: str) -> Organization:
        return from_json(Organization, self.request("GET", f"organizations/{slug}/"))

    def create_organization(self, name: str, slug: str | None = None) -> Organization:
        body = {"name": name, **({"slug": slug} if slug else {})}
        return from_json(Organization, self.request("POST", "organizations/", json=body))

    def update_organization(self, slug: str, *, name: str | None = None, new_slug: str | None = None) -> Organization:
        body = {k: v for k, v in {"name": name, "slug": new_slug}.items() if v is not None}
        return from_json(Organization, self.request("PATCH", f"organizations/{slug}/", json=body))

    def delete_organization(self, slug: str) -> None:
        self.request("DELETE", f"organizations/{slug}/")

    # --- projects --------------------------------------------------------------------------------
    def projects(self, organization: str, search: str | None = None) -> Iterator[Project]:
        return self._pages(Project, f"organizations/{organization}/projects/", {"search": search})

    def project(self, organization: str, slug: str) -> Project:
        return from_json(Project, self.request("GET", f"organizations/{organization}/projects/{slug}/"))

    def create_project(self, organization: str, name: str, slug: str | None = None, description: str = "") -> Project:
        body = {"name": name, "description": description, **({"slug": slug} if slug else {})}
        return from_json(Project, self.request("POST", f"organizations/{organization}/projects/", json=body))

    def update_project(self, organization: str, slug: str, **fields: str) -> Project:
        return from_json(Project, self.request("PATCH", f"organizations/{organization}/projects/{slug}/", json=fields))

    def delete_project(self, organization: str, slug: str) -> None:
        self.request("DELETE", f"organizations/{organization}/projects/{slug}/")

    # --- members and invitations -----------------------------------------------------------------
    def members(self, organization: str, role: str | None = None) -> Iterator[Member]:
        return self._pages(Member, f"organizations/{organization}/members/", {"role": role})

    def add_member(self, organization: str, email: str, role: str) -> Member:
        return from_json(Member, self.request("POST", f"organizations/{organization}/members/",
                                              json={"email": email, "role": role}))

    def change_role(self, organization: str, member_id: int, role: str) -> Member:
        return from_json(Member, self.request("PATCH", f"organizations/{organization}/members/{member_id}/",
                                              json={"role": role}))

    def remove_member(self, organization: str, member_id: int) -> None:
        self.request("DELETE", f"organizations/{organization}/members/{member_id}/")

    def invitations(self, organization: str) -> Iterator[Invitation]:
        return self._pages(Invitation, f"organizations/{organization}/invitations/")

    def invite(self, organization: str, email: str, role: str = "member") -> Invitation:
        return from_json(Invitation, self.request("POST", f"organizations/{organization}/invitations/",
                                                  json={"email": email, "role": role}))

    def revoke_invitation(self, organization: str, invitation_id: int) -> None:
        self.request("DELETE", f"organizations/{organization}/invitations/{invitation_id}/")
