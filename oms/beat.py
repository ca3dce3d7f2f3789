"""Periodic jobs. The dispatchers fan out per connection according to each connection's own intervals.

Task names are strings so this file has no imports from the apps; the connectors issue provides them.
"""

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
}
