from __future__ import annotations

import importlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shopapp.catalog.selectors import collection_list
from shopapp.demo.management.commands import demo as demo_command
from shopapp.shops.models import Shop

try:
    importlib.import_module("shopapp.demo.services")
except ImportError as error:  # pragma: no cover - only while the importer is being written
    pytest.skip(f"the demo importer is not available: {error}", allow_module_level=True)

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
SAMPLE = (
    HEADER
    + "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom\n"
    + "536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom\n"
    + "536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,17851,United Kingdom\n"
    + "C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,12/1/2010 9:41,2.55,17850,United Kingdom\n"
)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "sample.csv"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--no-progress", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_loads_the_shop_and_prints_the_urls(sample, monkeypatch):
    # given no PORT in the environment
    monkeypatch.delenv("PORT", raising=False)
    # when the demo command runs without serving
    output = run_demo("--data", str(sample))
    # then the demo shop is loaded and the command says what it loaded and where to look
    shop = Shop.objects.get(is_demo=True)
    assert shop.name == "Hearth & Twine"
    # (how many categories three titles make is the tagger's business, so that count is read back)
    collections = collection_list(shop=shop).count()
    assert (
        f"Loaded Hearth & Twine: 3 products, {collections} collections, 2 customers, 2 orders, "
        "1 returns." in output
    )
    assert "Storefront  http://127.0.0.1:8000/demo/" in output
    assert "Admin       http://127.0.0.1:8000/app/" in output


@pytest.mark.django_db
def test_demo_twice_changes_nothing(sample):
    # given the demo was loaded once
    run_demo("--data", str(sample))
    # when it runs again
    output = run_demo("--data", str(sample))
    # then it says so and the shop is still the only demo shop
    assert "Hearth & Twine is already loaded, nothing changed." in output
    assert Shop.objects.filter(is_demo=True).count() == 1


@pytest.mark.django_db
def test_demo_port_comes_from_the_option_then_the_environment(sample, monkeypatch):
    # given PORT is set
    monkeypatch.setenv("PORT", "8123")
    # when the command runs with and without --port
    from_env = run_demo("--data", str(sample))
    from_option = run_demo("--data", str(sample), "--port", "9001")
    # then --port wins over PORT
    assert "http://127.0.0.1:8123/demo/" in from_env
    assert "http://127.0.0.1:9001/demo/" in from_option


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_demo_refuses_a_bad_port(port):
    # when the port is not a port
    with pytest.raises(CommandError, match="--port"):
        run_demo("--port", port)


@pytest.mark.django_db
def test_demo_refuses_a_missing_data_file(tmp_path):
    # when --data names no file
    with pytest.raises(CommandError, match="is not a file"):
        run_demo("--data", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_demo_serves_with_runserver_without_the_autoreloader(sample, monkeypatch):
    # given call_command is recorded instead of run (migrate, messages and runserver)
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr(
        demo_command, "call_command", lambda *args, **kwargs: calls.append((args, kwargs))
    )
    # when the command runs without --no-serve
    call_command(
        "demo", "--no-progress", "--port", "8765", "--data", str(sample), stdout=StringIO()
    )
    # then it migrated, compiled the translations, then served on loopback without the reloader
    assert calls == [
        (("migrate",), {"interactive": False, "verbosity": 0}),
        (("messages",), {"compile": True, "verbosity": 0}),
        (("runserver", "127.0.0.1:8765"), {"use_reloader": False}),
    ]
