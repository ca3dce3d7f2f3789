"""Symmetric encryption for secrets at rest (marketplace credentials, webhook secrets).

Fernet (AES-128-CBC + HMAC) from ``cryptography``; ``OKNO_ENCRYPTION_KEY`` may hold several comma-separated
keys so a key can be rotated: the first encrypts, all decrypt.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "OKNO_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        ) from exc


def encrypt_text(plain: str) -> str:
    return _fernet(settings.OKNO_ENCRYPTION_KEY).encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet(settings.OKNO_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("Stored secret cannot be decrypted with OKNO_ENCRYPTION_KEY") from exc


class EncryptedJSONField(models.TextField):
    """A JSON object stored encrypted. The database only ever holds ciphertext."""

    def from_db_value(self, value: str | None, expression, connection) -> Any:
        if value is None or value == "":
            return {}
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        if value is None or value == "":
            return {}
        return json.loads(decrypt_text(value))

    def get_prep_value(self, value: Any) -> str:
        return encrypt_text(json.dumps(value or {}, sort_keys=True))

    def value_to_string(self, obj) -> str:
        # Serialisation (dumpdata) never writes the plaintext.
        return self.get_prep_value(self.value_from_object(obj))
