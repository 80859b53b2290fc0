"""Known input/output pairs from the platforms' own documentation."""

from __future__ import annotations

import pytest

from personalization.engine.audience_ids import (
    hashed_email,
    hashed_phone,
    normalize_email,
    normalize_phone,
    sha256_hex,
)

# Meta's customer information parameters page: "John_Smith@gmail.com" and US "(650)555-1212".
META_EMAIL_SHA = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"
META_PHONE_SHA = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"


def test_meta_documented_pairs():
    assert normalize_email("  John_Smith@gmail.com ", platform="meta") == "john_smith@gmail.com"
    assert hashed_email("John_Smith@gmail.com", platform="meta") == META_EMAIL_SHA
    assert normalize_phone("(650)555-1212", platform="meta", default_calling_code="1") == (
        "16505551212"
    )
    assert hashed_phone("(650)555-1212", platform="meta", default_calling_code="1") == (
        META_PHONE_SHA
    )
    assert hashed_phone("+1 650-555-1212", platform="meta") == META_PHONE_SHA


@pytest.mark.parametrize(
    ("raw", "google", "meta"),
    [
        ("Jane.Doe@GMail.com", "janedoe@gmail.com", "jane.doe@gmail.com"),
        ("j.doe@googlemail.com", "jdoe@googlemail.com", "j.doe@googlemail.com"),
        ("First.Last@Example.co.uk ", "first.last@example.co.uk", "first.last@example.co.uk"),
        ("not-an-email", None, None),
        ("two words@example.com", None, None),
    ],
)
def test_email_normalization_per_platform(raw, google, meta):
    assert normalize_email(raw, platform="google") == google
    assert normalize_email(raw, platform="meta") == meta


@pytest.mark.parametrize(
    ("raw", "code", "google", "meta"),
    [
        # Google's examples of E.164: "+12125650000", "+442070313000".
        ("+1 (212) 565-0000", "", "+12125650000", "12125650000"),
        ("020 7031 3000", "44", "+442070313000", "442070313000"),
        ("0044 20 7031 3000", "", "+442070313000", "442070313000"),
        ("020 7031 3000", "", None, None),  # national number, no country known
        ("+44 12", "", None, None),  # too short for any real number
    ],
)
def test_phone_normalization_per_platform(raw, code, google, meta):
    assert normalize_phone(raw, platform="google", default_calling_code=code) == google
    assert normalize_phone(raw, platform="meta", default_calling_code=code) == meta


def test_google_hash_is_of_the_e164_form_with_plus():
    assert hashed_phone("+1 (212) 565-0000", platform="google") == sha256_hex("+12125650000")
    assert sha256_hex("+12125650000") != sha256_hex("12125650000")
