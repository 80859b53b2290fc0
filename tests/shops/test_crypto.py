from __future__ import annotations

from collections.abc import Callable, Iterator
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from shopapp.catalog.models import Customer
from shopapp.shops import crypto
from shopapp.shops.crypto import DecryptionError
from shopapp.shops.models import Shop
from tests.factories import CustomerFactory, ShopFactory

KEY_A, KEY_B, KEY_C = (Fernet.generate_key().decode() for _ in range(3))
TOKEN = {"access_token": "shpat_0123456789", "scope": "read_products"}


@pytest.fixture
def use_keys(settings) -> Iterator[Callable[..., None]]:
    """Switch FIELD_ENCRYPTION_KEYS, dropping the cached vault so the switch takes effect."""

    def switch(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(keys)
        crypto._vault.cache_clear()

    yield switch
    crypto._vault.cache_clear()


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_round_trip_and_tokens_differ_each_time(use_keys):
    use_keys(KEY_A)
    first, second = crypto.encrypt("ada@example.com"), crypto.encrypt("ada@example.com")
    assert first != second
    assert crypto.decrypt(first) == "ada@example.com"
    use_keys(KEY_C)
    with pytest.raises(DecryptionError, match="no configured FIELD_ENCRYPTION_KEYS key"):
        crypto.decrypt(first)


@pytest.mark.django_db
def test_rotation_moves_every_encrypted_column_to_the_new_key(use_keys):
    # given a shop and customers written under key A
    use_keys(KEY_A)
    shop = ShopFactory(credentials=TOKEN)
    ada = CustomerFactory(shop=shop, email="ada@example.com", name="Ada Lovelace")
    bob = CustomerFactory(shop=shop, email="bob@example.com", name="")
    token_before = raw_column("catalog_customer", "email", ada.pk)

    # when B becomes the primary key, A still readable, and the rows are rotated in small batches
    use_keys(KEY_B, KEY_A)
    out = StringIO()
    call_command("rotate_encryption_keys", batch_size=1, stdout=out)

    # then every row was counted (tables with no encrypted rows, e.g. other apps', say 0)
    lines = out.getvalue().splitlines()
    assert [line for line in lines if not line.endswith(": 0 rows re-encrypted")] == [
        "Re-encrypting under the primary key (1 of 2 configured keys), 1 rows per batch.",
        "catalog.Customer (email, name): 2 rows re-encrypted",
        "shops.Shop (credentials): 1 rows re-encrypted",
        "Done: 3 rows re-encrypted.",
    ]
    assert raw_column("catalog_customer", "email", ada.pk) != token_before
    # and with key A dropped, everything still decrypts with B alone
    use_keys(KEY_B)
    assert Shop.objects.get(pk=shop.pk).credentials == TOKEN
    assert Customer.objects.get(pk=ada.pk).email == "ada@example.com"
    assert Customer.objects.get(pk=ada.pk).name == "Ada Lovelace"
    assert Customer.objects.get(pk=bob.pk).email == "bob@example.com"
    assert Customer.objects.get(pk=bob.pk).name == ""
    # while a key that never encrypted them reads nothing
    use_keys(KEY_C)
    with pytest.raises(DecryptionError):
        Shop.objects.get(pk=shop.pk)
    with pytest.raises(DecryptionError):
        Customer.objects.get(pk=ada.pk)


@pytest.mark.django_db
def test_rotation_without_the_old_key_stops_and_changes_nothing(use_keys):
    # given a shop written under key A
    use_keys(KEY_A)
    shop = ShopFactory(credentials=TOKEN)
    token_before = raw_column("shops_shop", "credentials", shop.pk)
    # when rotation runs with only a new key configured (the old one forgotten)
    use_keys(KEY_B)
    with pytest.raises(CommandError, match=r"^shops\.Shop \(credentials\): a row with pk > 0 "):
        call_command("rotate_encryption_keys", stdout=StringIO())
    # then the stored token is untouched, and A still reads it
    assert raw_column("shops_shop", "credentials", shop.pk) == token_before
    use_keys(KEY_A)
    assert Shop.objects.get(pk=shop.pk).credentials == TOKEN


@pytest.mark.django_db
def test_rotation_with_nothing_encrypted_reports_zero(use_keys):
    use_keys(KEY_B, KEY_A)
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Done: 0 rows re-encrypted."
