"""Reading settings from the environment, with demo defaults and loud failures in production."""

from __future__ import annotations

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def secret(name: str, *, debug: bool, dev_default: str) -> str:
    """A secret from the environment; outside DEBUG a missing one stops the process by name."""
    value = env.str(name, default="")
    if value:
        return value
    if debug:
        return dev_default
    raise ImproperlyConfigured(
        f"Set the {name} environment variable: it is required when DEBUG is off."
    )
