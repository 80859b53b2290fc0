from __future__ import annotations

import gzip
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from shopapp.catalog.models import (
    Collection,
    CollectionMembership,
    Customer,
    Order,
    OrderLine,
    Product,
)
from shopapp.demo import importer
from shopapp.demo.services import demo_shop_load, retail_file_import
from shopapp.demo.uci import UciFormatError
from tests.demo_snapshot import demo_shop_remember

HEADER = '"InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"\n'
# One line per quirk the data set's README lists, plus ordinary sales.
QUIRKS = (
    '"536365","85123A","WHITE HANGING HEART T-LIGHT HOLDER",6,"2010-12-01 08:26:00",2.55,17850,"United Kingdom"\n'
    '"536365","71053","WHITE METAL LANTERN",6,"2010-12-01 08:26:00",3.39,17850,"United Kingdom"\n'
    '"536366","85123a","WHITE HANGING HEART T-LIGHT HOLDER ",2,"2010-12-02 09:00:00",2.95,,"United Kingdom"\n'
    '"C536379","85123A","WHITE HANGING HEART T-LIGHT HOLDER",-1,"2010-12-03 09:41:00",2.55,17850.0,"United Kingdom"\n'
    '"536370","POST","POSTAGE",3,"2010-12-01 08:45:00",18,12583,"France"\n'
    '"536414","22139","",56,"2010-12-01 11:52:00",0,,"United Kingdom"\n'
    '"A563185","71053","Adjust bad debt",1,"2011-08-12 14:50:00",-11062.06,,"United Kingdom"\n'
    '"536420","71053","damaged",-5,"2010-12-01 12:00:00",3.39,,"United Kingdom"\n'
    '"536421","21730","GLASS STAR FROSTED T-LIGHT HOLDER",4,"2010-12-04 10:00:00",4.25,13047,"Germany"\n'
    '"536422","21730","",1,"2010-12-05 10:00:00",4.50,13047,"Germany"\n'
)


def write_csv(tmp_path: Path, body: str, name: str = "retail.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_every_quirk_is_imported_or_skipped_and_the_totals_reconcile(shop, tmp_path):
    # given a file with one line per known quirk
    path = write_csv(tmp_path, QUIRKS)
    # when it is imported
    run, changed = retail_file_import(shop=shop, path=path)
    report = run.report
    # then every line is accounted for, exactly
    assert changed is True
    assert report["lines"]["total"] == 10
    assert report["lines"]["imported_by_kind"] == {"sale": 5, "return": 1}
    assert report["lines"]["skipped"] == {
        "negative_price": 1,
        "not_a_product": 1,
        "stock_adjustment": 1,
        "zero_price": 1,
    }
    assert report["quantity"]["total"] == 6 + 6 + 2 - 1 + 3 + 56 + 1 - 5 + 4 + 1
    assert report["quantity"]["imported_by_kind"] == {"sale": 19, "return": -1}
    # 15.30 + 20.34 + 5.90 - 2.55 + 54 + 0 - 11062.06 - 16.95 + 17.00 + 4.50
    assert report["value"]["total"] == "-10964.52"
    assert report["value"]["imported_by_kind"] == {"sale": "63.04", "return": "-2.55"}
    assert report["value"]["skipped"]["negative_price"] == "-11062.06"
    # and the store mirror holds what was imported
    assert Product.objects.filter(shop=shop).count() == 3  # 85123A (both cases), 71053, 21730
    heart = Product.objects.get(shop=shop, platform_id="85123A")
    assert heart.title == "White Hanging Heart T-Light Holder"
    assert heart.price_min == Decimal("2.950")  # the most recent sale's price
    assert heart.images == [{"url": f"/demo/placeholder/{heart.handle}.svg", "alt": heart.title}]
    assert (
        Product.objects.get(shop=shop, platform_id="21730").title
        == "Glass Star Frosted T-Light Holder"
    )
    assert Customer.objects.filter(shop=shop).count() == 3  # 17850, 12583 (postage only), 13047
    guest_order = Order.objects.get(shop=shop, platform_id="536366")
    assert guest_order.customer is None
    refund = Order.objects.get(shop=shop, platform_id="C536379")
    assert refund.kind == "return"
    assert refund.customer is not None
    assert refund.customer.platform_id == "17850"
    assert refund.total == Decimal("-2.550")
    assert OrderLine.objects.filter(shop=shop).count() == 6
    assert sum(OrderLine.objects.filter(shop=shop).values_list("quantity", flat=True)) == 18
    lighting = Collection.objects.get(shop=shop, handle="candles-lights")
    assert lighting.rules[0]["keywords"][0] == "candle"
    # collection order is by units sold: the lantern (6 sold) before the star (5); the heart
    # went to Home Decor, its most specific match ("hanging heart" beats "t-light")
    ordered = list(
        CollectionMembership.objects.filter(collection=lighting)
        .order_by("position")
        .values_list("product__platform_id", flat=True)
    )
    assert ordered == ["71053", "21730"]
    assert heart.product_type == "Home Decor"


@pytest.mark.django_db
def test_the_same_file_twice_changes_nothing(shop, tmp_path):
    path = write_csv(tmp_path, QUIRKS)
    first, _ = retail_file_import(shop=shop, path=path)
    stamps = list(Product.objects.filter(shop=shop).order_by("pk").values_list("pk", "updated_at"))
    second, changed = retail_file_import(shop=shop, path=path)
    assert changed is False
    assert second.pk == first.pk
    assert (
        list(Product.objects.filter(shop=shop).order_by("pk").values_list("pk", "updated_at"))
        == stamps
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '"536365","85123A","HEART",six,"2010-12-01 08:26:00",2.55,17850,"United Kingdom"\n',
            "line 2, column Quantity: 'six' is not a whole number",
        ),
        (
            '"536365","85123A","HEART",6,"2011-02-30 08:26:00",2.55,17850,"United Kingdom"\n',
            "line 2, column InvoiceDate: '2011-02-30 08:26:00' is not a valid date and time",
        ),
        (
            '"536365","85123A","HEART",6,"2010-12-01 08:26:00",2.5.5,17850,"United Kingdom"\n',
            "line 2, column UnitPrice: '2.5.5' is not a number",
        ),
        (
            '"536365","85123A","HEART",6,"2010-12-01 08:26:00",2.55,ABC,"United Kingdom"\n',
            "line 2, column CustomerID: 'ABC' is not a customer number",
        ),
        (
            '"536365","85123A","HEART",6,"2010-12-01 08:26:00"\n',
            "line 2: expected 8 columns, found 5",
        ),
        (
            '"","85123A","HEART",6,"2010-12-01 08:26:00",2.55,17850,"United Kingdom"\n',
            "line 2, column InvoiceNo: is empty",
        ),
    ],
)
@pytest.mark.django_db
def test_a_malformed_line_names_line_and_column_and_loads_nothing(shop, tmp_path, body, expected):
    # given a good line, then the bad one at line 3
    good = QUIRKS.splitlines(keepends=True)[0]
    path = write_csv(tmp_path, good + body)
    expected = expected.replace("line 2", "line 3")
    with pytest.raises(UciFormatError) as error:
        retail_file_import(shop=shop, path=path)
    assert str(error.value) == expected
    assert Product.objects.filter(shop=shop).count() == 0
    assert OrderLine.objects.filter(shop=shop).count() == 0


@pytest.mark.django_db
def test_missing_columns_are_named(shop, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("InvoiceNo,StockCode,Quantity\n1,2,3\n", encoding="utf-8")
    with pytest.raises(
        UciFormatError,
        match="line 1: missing column\\(s\\) Description, InvoiceDate, UnitPrice, CustomerID, Country",
    ):
        retail_file_import(shop=shop, path=path)


@pytest.mark.django_db
def test_binary_garbage_is_rejected_with_its_line(shop, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(
        HEADER.encode()
        + QUIRKS.splitlines(keepends=True)[0].encode()
        + b"\xff\xfe\x00\x9c\x80garbage\n"
    )
    with pytest.raises(UciFormatError, match=r"^line 3: is not UTF-8 text"):
        retail_file_import(shop=shop, path=path)


@pytest.mark.django_db
def test_a_nul_byte_is_rejected(shop, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(
        HEADER.encode() + b'"536365","85\x0023A","X",1,"2010-12-01 08:26:00",1,1,"UK"\n'
    )
    with pytest.raises(UciFormatError, match=r"^line 2: contains a NUL byte"):
        retail_file_import(shop=shop, path=path)


@pytest.mark.django_db
def test_a_truncated_gzip_is_rejected(shop, tmp_path):
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(gzip.compress((HEADER + QUIRKS * 50).encode())[:-40])
    with pytest.raises(UciFormatError, match="the file is damaged"):
        retail_file_import(shop=shop, path=path)


@pytest.mark.django_db
def test_a_bad_file_leaves_an_earlier_import_untouched(shop, tmp_path):
    retail_file_import(shop=shop, path=write_csv(tmp_path, QUIRKS, "good.csv"))
    before = (
        Product.objects.filter(shop=shop).count(),
        OrderLine.objects.filter(shop=shop).count(),
    )
    bad = write_csv(tmp_path, QUIRKS + '"9","1","X",1,"not a date",1,1,"UK"\n', "bad.csv")
    with pytest.raises(UciFormatError, match="line 12, column InvoiceDate"):
        retail_file_import(shop=shop, path=bad)
    assert (
        Product.objects.filter(shop=shop).count(),
        OrderLine.objects.filter(shop=shop).count(),
    ) == before


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_everything_back(shop, tmp_path, monkeypatch):
    # given the database fails half-way through the write
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "_write_lines", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        retail_file_import(shop=shop, path=write_csv(tmp_path, QUIRKS))
    # then products and orders written before the failure are gone too
    assert Product.objects.filter(shop=shop).count() == 0
    assert Order.objects.filter(shop=shop).count() == 0


@pytest.mark.django_db
def test_online_retail_ii_columns_and_spreadsheet_dates_are_accepted(shop, tmp_path):
    path = tmp_path / "ii.csv"
    path.write_text(
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
        "489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,12/1/2009 7:45,6.95,13085.0,United Kingdom\n",
        encoding="utf-8",
    )
    run, _ = retail_file_import(shop=shop, path=path)
    assert run.report["lines"]["imported"] == 1
    order = Order.objects.get(shop=shop, platform_id="489434")
    assert order.platform_created_at is not None
    assert order.platform_created_at.isoformat() == "2009-12-01T07:45:00+00:00"
    product = Product.objects.get(shop=shop, platform_id="85048")
    assert product.tags == ["Candles & Lights", "Christmas"]


@pytest.mark.django_db
def test_command_reports_bad_input_naming_the_field(shop, tmp_path):
    path = write_csv(tmp_path, '"1","2","X",1,"2010-12-01 08:26:00",abc,1,"UK"\n')
    with pytest.raises(
        CommandError, match="line 2, column UnitPrice: 'abc' is not a number; nothing was imported"
    ):
        call_command("import_uci", str(path), "--shop", shop.domain, "--no-progress")


def test_command_exits_non_zero_on_bad_input(tmp_path):
    # A real process, as an operator would run it: non-zero exit and the place in the message.
    path = write_csv(tmp_path, '"1","2","X",1.5,"2010-12-01 08:26:00",1,1,"UK"\n')
    env = {"VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [
            sys.executable,
            manage,
            "import_uci",
            str(path),
            "--shop",
            "cli.example.com",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "line 2, column Quantity: '1.5' is not a whole number" in result.stderr


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_shop_loads_the_real_sample_once():
    # when the demo shop is loaded from the committed UCI sample
    result = demo_shop_load()
    report = result.report
    assert result.changed is True
    assert report is not None
    # then the reconciliation adds up and the shop looks like a real store
    lines = report["lines"]
    assert lines["imported"] + sum(lines["skipped"].values()) == lines["total"] == 200_307
    quantity = report["quantity"]
    assert quantity["imported"] + sum(quantity["skipped"].values()) == quantity["total"]
    value = report["value"]
    skipped_value = sum(Decimal(v) for v in value["skipped"].values())
    assert Decimal(value["imported"]) + skipped_value == Decimal(value["total"])
    assert Product.objects.filter(
        shop=result.shop, title="White Hanging Heart T-Light Holder"
    ).exists()
    assert report["counts"]["products"] == Product.objects.filter(shop=result.shop).count()
    # and a second load changes nothing
    again = demo_shop_load()
    assert again.changed is False
    assert again.shop.pk == result.shop.pk
    assert OrderLine.objects.filter(shop=result.shop).count() == report["counts"]["order_lines"]
    # the browser tests restore this load instead of repeating it (tests/demo_snapshot.py)
    demo_shop_remember()
