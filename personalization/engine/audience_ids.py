"""Normalize and hash emails and phone numbers for ad platforms' customer lists.

The platforms match a list against their own users by the SHA-256 of a normalized value, so the
normalization must be exactly theirs or nothing matches:

- Google Ads Customer Match ("Prepare user data", developers.google.com/display-video/api/guides/
  tasks/upload-customer-match-audience/prepare-data, and the Campaign Manager 360 enhanced
  conversions guide): trim whitespace, lowercase; remove every "." before the domain of
  gmail.com and googlemail.com addresses; phones in E.164 with the country code ("+12125650000").
- Meta custom audiences (Marketing API customer information parameters, developers.facebook.com/
  docs/marketing-api/conversions-api/parameters/customer-information-parameters): emails trimmed
  and lowercased ("John_Smith@gmail.com" -> "john_smith@gmail.com"); phones with symbols, letters
  and leading zeros removed and the country code included, digits only ("(650)555-1212" in the
  US -> "16505551212").

Digests are lowercase hex SHA-256 of the UTF-8 normalized value, unsalted (both platforms). No
Django here: values in, values out.
"""

from __future__ import annotations

import hashlib
import re

_DIGITS = re.compile(r"\D+")
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
# E.164 allows at most 15 digits including the country code; under 8 is no real number.
E164_MIN_DIGITS = 8
E164_MAX_DIGITS = 15


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalize_email(raw: str, *, platform: str) -> str | None:
    """The platform's normalized form of an email, or None when it is no usable address."""
    email = raw.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        return None
    if platform == "google" and domain in _GMAIL_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def phone_digits(raw: str, *, default_calling_code: str = "") -> str | None:
    """Country code and number as digits only, or None when no country code can be known.

    "+44 20 7183 8750" and "0044 20 7183 8750" are international already; a national number
    ("020 7183 8750") loses its trunk zeros and gains the shop's default calling code.
    """
    text = raw.strip()
    if not text:
        return None
    if text.startswith("+"):
        digits = _DIGITS.sub("", text)
    elif text.startswith("00"):
        digits = _DIGITS.sub("", text)[2:]
    else:
        national = _DIGITS.sub("", text).lstrip("0")
        code = _DIGITS.sub("", default_calling_code)
        if not code or not national:
            return None
        digits = code + national
    digits = digits.lstrip("0")
    if not E164_MIN_DIGITS <= len(digits) <= E164_MAX_DIGITS:
        return None
    return digits


def normalize_phone(raw: str, *, platform: str, default_calling_code: str = "") -> str | None:
    """Google wants E.164 with its "+"; Meta the same digits without it."""
    digits = phone_digits(raw, default_calling_code=default_calling_code)
    if digits is None:
        return None
    return f"+{digits}" if platform == "google" else digits


def hashed_email(raw: str, *, platform: str) -> str | None:
    email = normalize_email(raw, platform=platform)
    return sha256_hex(email) if email else None


def hashed_phone(raw: str, *, platform: str, default_calling_code: str = "") -> str | None:
    phone = normalize_phone(raw, platform=platform, default_calling_code=default_calling_code)
    return sha256_hex(phone) if phone else None
