"""Releases that an upgrade must not skip: this version's declaration, read by ``anneal upgrade check``.

A release is a required stop when something in it must run before a later release can work:
for example a data migration that a later release squashes away, or a license-key rotation.
An installation older than a stop that upgrades to a version after it is refused by the check,
which names the stop to install first. When a release becomes one, add it here in that release
and keep it in every later one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequiredStop:
    version: str
    reason: str


REQUIRED_STOPS: tuple[RequiredStop, ...] = ()
