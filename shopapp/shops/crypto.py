"""Encryption at rest for credentials and personal data, with key rotation.

Keys come from settings.FIELD_ENCRYPTION_KEYS: the first encrypts, every key decrypts, so a new key
can be prepended, the rows rotated (`manage.py rotate_encryption_keys`), and the old key dropped.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _vault(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def vault() -> MultiFernet:
    return _vault(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return vault().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return vault().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "no configured FIELD_ENCRYPTION_KEYS key decrypts this value"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the primary key."""
    return vault().rotate(token.encode()).decode()


def lookup_hash(value: str) -> str:
    """Keyed hash for equality lookups (emails) that reveals nothing without the key."""
    normalized = value.strip().lower()
    return hmac.new(
        settings.LOOKUP_HASH_KEY.encode(), normalized.encode(), hashlib.sha256
    ).hexdigest()
