"""The Celery app. One queue per kind of work so a slow job never delays a stock push."""

import os

from celery import Celery
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

app = Celery("okno")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,  # a task a dead worker held is delivered again; tasks are idempotent
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue="poll",
    # Each queue with its own exchange and key: a message for one queue must never be copied into another.
    task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name)
                 for name in ("poll", "push", "documents", "analytics")],
    task_default_exchange="poll",
    task_default_routing_key="poll",
    # Routing by task name (first match wins): stock pushes never wait behind polls or document rendering.
    task_routes=[
        {"connectors.tasks.push_connection_stocks": {"queue": "push"}},
        {"connectors.tasks.sweep_dirty_listings": {"queue": "push"}},
        {"connectors.tasks.*": {"queue": "poll"}},
        {"orders.tasks.*": {"queue": "documents"}},
        {"analytics.tasks.*": {"queue": "analytics"}},
    ],
    task_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    enable_utc=True,
    broker_connection_retry_on_startup=True,
    task_ignore_result=True,
)
app.autodiscover_tasks()


def _beat_schedule() -> dict:
    from oms.beat import BEAT_SCHEDULE

    return BEAT_SCHEDULE


app.conf.beat_schedule = _beat_schedule()
