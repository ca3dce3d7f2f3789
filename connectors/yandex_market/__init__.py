"""Yandex Market Partner API: connector, mapping, status tables and push notifications."""
