"""Creating, building, downloading and expiring support bundles."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import timedelta
from typing import Any, Callable

from django.db import transaction
from django.utils import timezone

from anneal_enterprise.support import collectors, conf, encryption
from anneal_enterprise.support.models import SupportBundle
from anneal_enterprise.support.redaction import known_secrets, redact, redact_text
from core import __version__
from core.events import Target, emit
from core.services.errors import ServiceError

Progress = Callable[[int, str], None]


def bundle_target(bundle: SupportBundle) -> Target:
    return Target("support_bundle", str(bundle.pk), bundle.filename)


def create_bundle(user: Any, collector_ids: list[str] | None = None, recipients: list[str] | None = None,
                  *, enqueue: bool = True) -> SupportBundle:
    """Record a bundle request and queue its build (after commit). Raises ServiceError on bad input."""
    ids = list(dict.fromkeys(collector_ids if collector_ids is not None else collectors.default_ids()))
    if not ids:
        raise ServiceError("Pick at least one collector.", field="collectors")
    unknown = collectors.unknown_ids(ids)
    if unknown:
        raise ServiceError(f"Unknown {'collector' if len(unknown) == 1 else 'collectors'}: {', '.join(unknown)}. "
                           f"Known: {', '.join(collectors.registry())}.", field="collectors")
    try:
        keys = encryption.parse_recipients(recipients or [])
    except encryption.InvalidRecipient as exc:
        raise ServiceError(str(exc), field="recipients") from None
    now = timezone.now()
    with transaction.atomic():
        bundle = SupportBundle.objects.create(
            created_by=user if getattr(user, "is_authenticated", False) else None, created_at=now,
            expires_at=now + timedelta(days=conf.bundle_days()), collectors=ids, recipients=keys,
        )
        emit("support.bundle_created", target=bundle_target(bundle),
             data={"collectors": ids, "encrypted": bool(keys), "recipients": keys})
        if enqueue:
            from anneal_enterprise.support.tasks import build_support_bundle

            transaction.on_commit(lambda: build_support_bundle.delay(str(bundle.pk)))
    return bundle


def _serialise(result: collectors.CollectorResult, secrets: set[str]) -> str:
    if isinstance(result.content, str):
        return redact_text(redact(result.content, secrets), secrets)
    text = json.dumps(redact(result.content, secrets), indent=2, sort_keys=True, default=str)
    return redact_text(text, secrets, named=False) + "\n"


def _archive(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():  # insertion order: manifest, collectors, warnings
            archive.writestr(name, text)
    return buffer.getvalue()


def _save_progress(bundle_id: uuid.UUID | str, progress: int, step: str, **fields: Any) -> None:
    SupportBundle.objects.filter(pk=bundle_id).update(progress=progress, step=step[:200], **fields)


def build_bundle(bundle_id: uuid.UUID | str, on_progress: Progress | None = None) -> SupportBundle:
    """Run the bundle's collectors, redact, archive and (optionally) encrypt. Never raises for a
    collector's failure; an unexpected error marks the bundle failed."""
    bundle = SupportBundle.objects.get(pk=bundle_id)
    if bundle.status == SupportBundle.Status.READY:
        return bundle

    def progress(percent: int, step: str, **fields: Any) -> None:
        _save_progress(bundle.pk, percent, step, **fields)
        if on_progress is not None:
            on_progress(percent, step)

    try:
        progress(1, "starting", status=SupportBundle.Status.RUNNING)
        registry = collectors.registry()
        secrets = known_secrets()
        timeout = conf.collector_timeout()
        files: dict[str, str] = {}
        warnings: list[str] = []
        total = len(bundle.collectors)
        for index, collector_id in enumerate(bundle.collectors):
            progress(int(5 + 85 * index / total), f"collecting {collector_id}")
            entry = registry.get(collector_id)
            if entry is None:
                warnings.append(f"{collector_id}: no such collector is installed any more; left out.")
                continue
            result = collectors.run(entry, timeout)
            if result.warning:
                warnings.append(redact_text(result.warning, secrets))
                continue
            assert result.filename is not None
            files[result.filename] = _serialise(result, secrets)
        manifest = {
            "bundle": str(bundle.pk), "created_at": bundle.created_at.isoformat(), "anneal": __version__,
            "collectors": bundle.collectors, "included": sorted(files), "warnings": len(warnings),
            "encrypted_to": bundle.recipients,
            "redaction": "allowlist per collector, then denylist backstop (see docs/enterprise/support.md)",
        }
        files = {"manifest.json": json.dumps(manifest, indent=2) + "\n", **files}
        if warnings:
            files["warnings.txt"] = "\n".join(warnings) + "\n"
        progress(92, "packing")
        data = _archive(files)
        if bundle.recipients:
            progress(96, "encrypting")
            data = encryption.encrypt(data, bundle.recipients)
        progress(100, "ready", status=SupportBundle.Status.READY, files=files, warnings=warnings, archive=data)
    except Exception as exc:
        progress(100, "failed", status=SupportBundle.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
    return SupportBundle.objects.get(pk=bundle.pk)


def record_download(bundle: SupportBundle) -> bytes:
    """The archive to hand out; emits ``support.bundle_downloaded``."""
    if bundle.status != SupportBundle.Status.READY or bundle.archive is None:
        raise ServiceError("This bundle is not ready yet; wait until its progress reaches 100%.", code="not_ready")
    with transaction.atomic():
        SupportBundle.objects.filter(pk=bundle.pk).update(download_count=bundle.download_count + 1)
        emit("support.bundle_downloaded", target=bundle_target(bundle),
             data={"encrypted": bundle.encrypted, "bytes": len(bundle.archive)})
    return bytes(bundle.archive)


def delete_bundle(bundle: SupportBundle, reason: str = "deleted") -> None:
    with transaction.atomic():
        emit("support.bundle_deleted", target=bundle_target(bundle), data={"reason": reason})
        bundle.delete()


def delete_expired(now: Any = None) -> int:
    now = now or timezone.now()
    expired = list(SupportBundle.objects.filter(expires_at__lte=now).defer("archive", "files"))
    for bundle in expired:
        delete_bundle(bundle, "expired")
    return len(expired)
