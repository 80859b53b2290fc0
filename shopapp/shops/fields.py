"""Model fields that encrypt their value before it reaches the database."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import models

from shopapp.shops import crypto


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; read back as plain text. Not searchable: pair with a hash."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


if TYPE_CHECKING:
    _AnyField = models.Field[Any, Any]
else:
    _AnyField = models.Field


class EncryptedJSONField(_AnyField):
    """A JSON object stored encrypted (platform credentials: tokens, consumer keys)."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return {}
        return json.loads(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dict):
            return value
        if value is None or value == "":
            return {}
        return json.loads(value)

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            value = {}
        return crypto.encrypt(json.dumps(value, sort_keys=True))
