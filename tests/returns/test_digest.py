"""The 09:00 digest: owners and managers learn which claims expire within a day and which are overdue."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from oms.beat import BEAT_SCHEDULE
from oms.choices import Role
from returns.tasks import send_claim_digests
from tests.conftest import member


def test_owners_and_managers_get_the_claims_expiring_soon_and_overdue(org, owner, desk, other_desk, mailoutbox):
    member(org, Role.MANAGER, "manager@alpha.test")
    member(org, Role.WAREHOUSE, "picker@alpha.test")
    soon = desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=5))
    late = desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() - timedelta(hours=2))
    later = desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(days=3))

    send_claim_digests.delay()

    assert len(mailoutbox) == 1  # the other organization has nothing due: no e-mail for it
    mail = mailoutbox[0]
    assert sorted(mail.to) == ["manager@alpha.test", "owner@alpha.test"]
    assert soon.external_id in mail.body and late.external_id in mail.body
    assert later.external_id not in mail.body
    assert org.name in mail.subject


def test_nothing_due_sends_nothing(org, owner, desk, mailoutbox):
    desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(days=2))

    send_claim_digests.delay()

    assert mailoutbox == []


def test_an_answered_claim_is_not_in_the_digest(org, owner, desk, mailoutbox):
    ret = desk.ingest(kind="claim", status="requested", deadline_at=timezone.now() + timedelta(hours=2))
    ret.claims.model.all_tenants.filter(return_request=ret).update(status="answered")

    send_claim_digests.delay()

    assert mailoutbox == []


def test_the_digest_runs_daily_at_nine_moscow_time():
    schedule = BEAT_SCHEDULE["returns.send_claim_digests"]["schedule"]

    assert (schedule.hour, schedule.minute) == ({6}, {0})  # Celery's clock is UTC; Moscow is UTC+3
