"""Periodic jobs. The dispatchers fan out per connection according to each connection's own intervals.

Task names are strings so this file has no imports from the apps; the connectors issue provides them.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "connectors.dispatch_polls": {
        "task": "connectors.tasks.dispatch_polls",
        "schedule": 1.0,
        "options": {"queue": "poll", "expires": 5},
    },
    "connectors.sweep_dirty_listings": {
        "task": "connectors.tasks.sweep_dirty_listings",
        "schedule": 5.0,
        "options": {"queue": "push", "expires": 10},
    },
    # Celery runs in UTC: 06:00 UTC is 09:00 in Moscow (UTC+3 all year), before the working day.
    "returns.send_claim_digests": {
        "task": "returns.tasks.send_claim_digests",
        "schedule": crontab(hour=6, minute=0),
        "options": {"queue": "analytics", "expires": 6 * 3600},
    },
}
