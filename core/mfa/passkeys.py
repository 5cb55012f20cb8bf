"""Passkeys and security keys (WebAuthn): registration and assertion ceremonies.

The relying party is this instance: its id is the host of ``ANNEAL_BASE_URL`` and the only
accepted origin is that URL's origin, so an assertion made for another site is refused. Each
challenge lives in the session and is used once; the signature counter must grow (for keys
that count), so a copied assertion or a cloned key is refused.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

import webauthn
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidJSONStructure, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from core.mfa import clock, events, notifications
from core.models import Passkey, User
from core.plugins import hooks
from core.services.errors import ServiceError

logger = logging.getLogger("anneal.mfa")

SESSION_KEY = "anneal_webauthn"
CHALLENGE_SECONDS = 300
NAME_MAX = 100
MAX_CREDENTIAL_JSON = 64 * 1024


def rp_id() -> str:
    return getattr(settings, "ANNEAL_WEBAUTHN_RP_ID", "") or (urlsplit(settings.BASE_URL).hostname or "localhost")


def expected_origin() -> str:
    parts = urlsplit(settings.BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def user_handle(user: User) -> bytes:
    """A stable opaque id for the authenticator; never the email address."""
    return hashlib.sha256(f"anneal-webauthn-user:{user.pk}".encode()).digest()[:32]


def is_enrolled(user: User) -> bool:
    return Passkey.objects.filter(user=user).exists()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    """The user's credentials for the browser; a stored id that is not base64url (damaged data) is left out."""
    descriptors = []
    for credential_id in Passkey.objects.filter(user=user).values_list("credential_id", flat=True):
        try:
            descriptors.append(PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(credential_id)))
        except (ValueError, binascii.Error):
            logger.warning("Passkey credential id of user %s is not base64url; left out", user.pk)
    return descriptors


def _remember_challenge(request: HttpRequest, ceremony: str, challenge: bytes, **extra: Any) -> None:
    stored = request.session.get(SESSION_KEY, {})
    stored[ceremony] = {"challenge": bytes_to_base64url(challenge), "at": clock.now(), **extra}
    request.session[SESSION_KEY] = stored


def _take_challenge(request: HttpRequest, ceremony: str) -> dict[str, Any] | None:
    """The ceremony's challenge, removed from the session: each one is usable once."""
    stored = request.session.get(SESSION_KEY, {})
    data = stored.pop(ceremony, None)
    request.session[SESSION_KEY] = stored
    if not data or clock.now() - data.get("at", 0) > CHALLENGE_SECONDS:
        return None
    return data


def _attestation() -> AttestationConveyancePreference:
    return AttestationConveyancePreference(settings.ANNEAL_WEBAUTHN_ATTESTATION)


def registration_options(request: HttpRequest, user: User) -> str:
    """Options for ``navigator.credentials.create()``, as JSON; the challenge is kept in the session."""
    challenge = secrets.token_bytes(32)
    options = webauthn.generate_registration_options(
        rp_id=rp_id(), rp_name=getattr(settings, "ANNEAL_MFA_ISSUER", "") or "Anneal", user_name=user.email,
        user_id=user_handle(user), user_display_name=user.display_name, challenge=challenge,
        attestation=_attestation(),
        authenticator_selection=AuthenticatorSelectionCriteria(resident_key=ResidentKeyRequirement.PREFERRED,
                                                               user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(user),
    )
    _remember_challenge(request, "register", challenge, user_id=user.pk)
    return webauthn.options_to_json(options)


class PasskeyRefused(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="passkey_refused", field="credential")


def _parse(credential_json: str) -> dict[str, Any]:
    if not credential_json or len(credential_json) > MAX_CREDENTIAL_JSON:
        raise PasskeyRefused("No passkey answer arrived. Try again, and allow the browser to use your passkey.")
    try:
        data = json.loads(credential_json)
    except ValueError:
        raise PasskeyRefused("The passkey answer is not valid JSON.") from None
    if not isinstance(data, dict):
        raise PasskeyRefused("The passkey answer is not a credential.")
    return data


def complete_registration(request: HttpRequest, user: User, credential_json: str, name: str) -> Passkey:
    """Verify the authenticator's answer, ask ``anneal_passkey_registration``, and save the passkey."""
    name = (name or "").strip() or "Passkey"
    if len(name) > NAME_MAX:
        raise ServiceError(f"The name is too long: at most {NAME_MAX} characters.", field="name")
    stored = _take_challenge(request, "register")
    if stored is None or stored.get("user_id") != user.pk:
        raise PasskeyRefused("This passkey request expired or was already used. Start again.")
    data = _parse(credential_json)
    try:
        verified = webauthn.verify_registration_response(
            credential=data, expected_challenge=webauthn.base64url_to_bytes(stored["challenge"]),
            expected_rp_id=rp_id(), expected_origin=expected_origin())
    except (InvalidRegistrationResponse, InvalidJSONStructure, KeyError, TypeError, ValueError) as exc:
        raise PasskeyRefused(f"The passkey could not be verified: {exc}") from None
    refusal = hooks.passkey_registration(user, str(verified.aaguid), str(getattr(verified.fmt, "value", verified.fmt)))
    if refusal is not None:
        raise PasskeyRefused(refusal.reason)
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise PasskeyRefused("This passkey is already registered.")
    transports = [t for t in (data.get("response") or {}).get("transports", []) if isinstance(t, str)][:8]
    credential_properties = (data.get("clientExtensionResults") or {}).get("credProps") or {}
    with transaction.atomic():
        passkey = Passkey.objects.create(
            user=user, name=name, credential_id=credential_id, public_key=verified.credential_public_key,
            sign_count=verified.sign_count, aaguid=str(verified.aaguid), transports=transports,
            discoverable=bool(credential_properties.get("rk")),
            backed_up=bool(getattr(verified, "credential_backed_up", False)))
        events.emit_factor("mfa.factor_added", user, "passkey", name, aaguid=passkey.aaguid)
        notifications.factor_changed(user, f"The passkey {name!r} was added")
    return passkey


def authentication_options(request: HttpRequest, user: User | None) -> str:
    """Options for ``navigator.credentials.get()``: for ``user``'s passkeys, or any discoverable one."""
    challenge = secrets.token_bytes(32)
    allow = _descriptors(user) if user is not None else []
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(), challenge=challenge, allow_credentials=allow,
        user_verification=UserVerificationRequirement.REQUIRED if user is None
        else UserVerificationRequirement.PREFERRED)
    _remember_challenge(request, "authenticate", challenge, user_id=user.pk if user is not None else None)
    return webauthn.options_to_json(options)


def _assert(request: HttpRequest, user: User | None, credential_json: str) -> Passkey:
    stored = _take_challenge(request, "authenticate")
    if stored is None or (user is not None and stored.get("user_id") != user.pk):
        raise PasskeyRefused("This passkey request expired or was already used. Start again.")
    data = _parse(credential_json)
    try:
        credential = parse_authentication_credential_json(data)
    except (InvalidJSONStructure, KeyError, TypeError, ValueError):
        raise PasskeyRefused("The passkey answer is not a credential.") from None
    candidates = Passkey.objects.filter(credential_id=bytes_to_base64url(credential.raw_id))
    if user is not None:
        candidates = candidates.filter(user=user)
    passkey = candidates.select_related("user").first()
    if passkey is None:
        raise PasskeyRefused("This passkey is not registered here.")
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential, expected_challenge=webauthn.base64url_to_bytes(stored["challenge"]),
            expected_rp_id=rp_id(), expected_origin=expected_origin(),
            credential_public_key=bytes(passkey.public_key), credential_current_sign_count=passkey.sign_count,
            require_user_verification=user is None)
    except (InvalidAuthenticationResponse, InvalidJSONStructure, KeyError, TypeError, ValueError) as exc:
        raise PasskeyRefused(f"The passkey could not be verified: {exc}") from None
    # Compare-and-set: of two requests racing with the same answer, one wins.
    updated = Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now(), backed_up=verified.credential_backed_up)
    if updated != 1:
        raise PasskeyRefused("This passkey answer was already used.")
    return passkey


def verify_authentication(request: HttpRequest, user: User, credential_json: str) -> bool:
    """The second-factor check: ``True`` when ``credential_json`` is a fresh assertion by one of ``user``'s passkeys."""
    try:
        _assert(request, user, credential_json)
    except PasskeyRefused as exc:
        request.anneal_mfa_failure = exc.message  # type: ignore[attr-defined]
        logger.info("Passkey refused for user %s: %s", user.pk, exc.message)
        return False
    return True


def sign_in_with_passkey(request: HttpRequest, credential_json: str) -> Passkey:
    """The first-factor check: a discoverable passkey verified the person; raises :class:`PasskeyRefused`."""
    return _assert(request, None, credential_json)


def remove(passkey: Passkey) -> None:
    with transaction.atomic():
        user, name = passkey.user, passkey.name
        passkey.delete()
        events.emit_factor("mfa.factor_removed", user, "passkey", name)
        notifications.factor_changed(user, f"The passkey {name!r} was removed")
