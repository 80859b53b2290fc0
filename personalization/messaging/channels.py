"""Delivery channels behind one small interface: email today; SMS implements the same two
methods (an address for a customer, and send) and plugs into CHANNELS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from shopapp.catalog.models import Customer


@dataclass(frozen=True)
class Outbound:
    to: str
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def address_for(self, customer: Customer) -> str | None:
        """Where this customer is reached on the channel, or None."""
        ...

    def send(self, message: Outbound) -> None:
        """Deliver, or raise; the caller records the failure and may retry."""
        ...


class EmailChannel:
    """Django's email backend: SMTP from `EMAIL_URL` in production, the console in the demo."""

    name = "email"

    def address_for(self, customer: Customer) -> str | None:
        return customer.email or None

    def send(self, message: Outbound) -> None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers=message.headers,
            connection=get_connection(fail_silently=False),
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        email.send()


CHANNELS: dict[str, Channel] = {"email": EmailChannel()}
