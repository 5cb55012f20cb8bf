"""Every MFA enrollment, removal, reset, failed attempt and policy change lands in the audit log."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from anneal_enterprise.audit.models import AuditRecord
from core.mfa import administration, recovery, totp

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def test_the_audit_log_records_the_whole_mfa_life_cycle(organization, make_member, jobs_in_process):
    owner = organization.memberships.get().user
    owner.set_password(PASSWORD)
    owner.save()
    now = int(time.time() // 30)
    secret = totp.start_enrollment(owner).secret
    totp.confirm_enrollment(owner, totp.code_at(secret, now))
    recovery.generate(owner)
    administration.set_requirement(organization, owner, True, 3)

    client = Client()
    client.post("/sign-in/", {"email": owner.email, "password": PASSWORD})
    client.post("/sign-in/verify/", {"factor": "totp", "code": "abcdef"})  # refused
    client.post("/sign-in/verify/", {"factor": "totp", "code": totp.code_at(secret, now + 1)})

    member = make_member(organization, "member")
    member_secret = totp.start_enrollment(member).secret
    totp.confirm_enrollment(member, totp.code_at(member_secret, now))
    administration.reset_factors(member, owner, "lost phone", organization)
    totp.remove(owner)

    recorded = list(AuditRecord.objects.filter(type__startswith="mfa.").values_list("type", "target_display"))
    assert ("mfa.factor_added", owner.email) in recorded and ("mfa.factor_added", member.email) in recorded
    assert ("mfa.recovery_codes_generated", owner.email) in recorded
    assert ("mfa.requirement_changed", organization.name) in recorded
    assert ("mfa.second_factor_failed", owner.email) in recorded
    assert ("mfa.second_factor_verified", owner.email) in recorded
    assert ("mfa.factors_reset", member.email) in recorded
    assert ("mfa.factor_removed", owner.email) in recorded
    reset = AuditRecord.objects.get(type="mfa.factors_reset")
    assert reset.data["reason"] == "lost phone" and reset.organization_id == organization.pk
