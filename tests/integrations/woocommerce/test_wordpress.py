"""The WordPress plugin: `php -l` on every PHP file, and a real WordPress.

The real one is Debian's `wordpress` package (6.1) copied to a temporary folder, a fresh database
on the MariaDB at 127.0.0.1:3306 (root, no password; `TEST_MYSQL_HOST`/`TEST_MYSQL_PORT`), served
by `php -S` on loopback. It is installed by a PHP script (wp-cli is not in bookworm), which also
activates the plugin by writing the `active_plugins` option. WooCommerce itself cannot be
installed here: the test theme registers stand-ins for its `product` post type and `product_cat`
taxonomy, and the plugin's WooCommerce calls stay behind their guards. The plugin's API base
points at a small stub on loopback that answers decisions and checks the privacy signatures.
.ci/run installs php-cli, php-mysql, wordpress (and MariaDB when the machine has none);
scripts/test.sh starts a stopped MariaDB; without them these tests skip with the reason.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from integrations.woocommerce.build_plugin import PLUGIN, build
from integrations.woocommerce.privacy import plugin_signature

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent / "wordpress"
WORDPRESS = Path(os.environ.get("TEST_WORDPRESS_DIR", "/usr/share/wordpress"))
MYSQL_HOST = os.environ.get("TEST_MYSQL_HOST", "127.0.0.1")
MYSQL_PORT = os.environ.get("TEST_MYSQL_PORT", "3306")
PLUGIN_SECRET = "plugin-secret-0123456789abcdef"
PHP = shutil.which("php")
MYSQL = shutil.which("mariadb") or shutil.which("mysql")


def php_files() -> list[Path]:
    return sorted([*PLUGIN.rglob("*.php"), *HERE.rglob("*.php")])


@pytest.mark.skipif(PHP is None, reason="php is not installed (apt-get install php-cli)")
@pytest.mark.parametrize("path", php_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_php_files_pass_php_lint(path: Path) -> None:
    result = subprocess.run(
        [PHP or "php", "-l", str(path)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax errors detected" in result.stdout


def test_block_metadata_names_render_and_view_script() -> None:
    for folder in sorted((PLUGIN / "blocks").iterdir()):
        meta = json.loads((folder / "block.json").read_text())
        assert meta["name"] == f"pz/{folder.name}"
        assert meta["render"] == "file:./render.php"
        assert meta["viewScript"] == "pz-storefront"
        assert (folder / "render.php").exists()


def _mysql(*sql: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            MYSQL or "mysql",
            f"-h{MYSQL_HOST}",
            f"-P{MYSQL_PORT}",
            "-uroot",
            "--batch",
            "-e",
            "; ".join(sql),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )


def _why_not() -> str | None:
    """Why the real-WordPress test cannot run here, or None."""
    if os.environ.get("TEST_WORDPRESS_SKIP"):
        return f"turned off ({os.environ['TEST_WORDPRESS_SKIP']})"
    if PHP is None:
        return "php is not installed (apt-get install php-cli php-mysql)"
    modules = subprocess.run([PHP, "-m"], capture_output=True, text=True, timeout=30).stdout.lower()
    if "mysqli" not in modules:
        return "PHP has no mysqli extension (apt-get install php-mysql)"
    if not (WORDPRESS / "wp-settings.php").exists():
        return f"WordPress is not at {WORDPRESS} (apt-get install wordpress)"
    if MYSQL is None:
        return "no mysql/mariadb client (apt-get install mariadb-client)"
    answer = _mysql("SELECT 1")
    if answer.returncode != 0:
        return f"MariaDB at {MYSQL_HOST}:{MYSQL_PORT} is not usable as root: {answer.stderr.strip()[:200]}"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port}")


@dataclass
class StubAPI:
    """Our API as the plugin sees it: decisions (reversing what it is sent), privacy requests
    (checking the plugin's signature), the connection claim."""

    slow_search: bool = False
    campaigns_live: bool = False  # what GET /api/v1/campaigns/live answers
    requests: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    signatures_ok: list[bool] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StubAPI:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _json(self, status: int, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = dict(parse_qsl(url.query))
                stub.requests.append((url.path, query, {}))
                if url.path == "/api/v1/campaigns/live" and query.get("key") == "pk_wordpress_test":
                    return self._json(200, {"onsite": stub.campaigns_live})
                if url.path != "/api/v1/decide" or query.get("key") != "pk_wordpress_test":
                    return self._json(401, {"error": "bad_key"})
                answer: dict[str, Any] = {"slots": {}}
                if query.get("nav"):
                    answer["nav"] = list(reversed(query["nav"].split(",")))
                if query.get("results"):
                    if stub.slow_search:
                        time.sleep(2.0)
                    answer["search"] = list(reversed(query["results"].split(",")))
                    if query.get("q") == "widget":  # as a merchant's hide rule would: the first
                        answer["search_hidden"] = query["results"].split(",")[:1]
                return self._json(200, answer)

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                payload = json.loads(body or b"{}")
                stub.requests.append((url.path, {}, payload))
                if url.path == "/api/v1/woocommerce/plugin/claim":
                    if payload.get("code") != "good-code":
                        return self._json(400, {"error": "invalid_code"})
                    return self._json(
                        200,
                        {
                            "shop_domain": "store.example",
                            "storefront_key": "pk_claimed",
                            "api_base": f"{stub.url}/api/v1/",
                            "plugin_secret": "claimed-secret",
                        },
                    )
                timestamp = self.headers.get("X-PZ-Timestamp", "")
                ok = self.headers.get("X-PZ-Shop") == "pk_wordpress_test" and self.headers.get(
                    "X-PZ-Signature"
                ) == plugin_signature(PLUGIN_SECRET, timestamp, body)
                stub.signatures_ok.append(ok)
                if not ok:
                    return self._json(401, {"error": "unauthorized"})
                if url.path.endswith("/privacy/export"):
                    return self._json(
                        200,
                        {
                            "found": True,
                            "groups": {
                                "customer": {
                                    "label": "Personalization: customer",
                                    "items": [{"email": payload["email"], "country": "GB"}],
                                }
                            },
                        },
                    )
                return self._json(200, {"removed": True, "counts": {"customers": 1}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Site:
    url: str
    host: str
    root: Path
    made: dict[str, Any]
    stub: StubAPI

    def get(self, path: str, **params: str) -> requests.Response:
        response = requests.get(f"{self.url}{path}", params=params, timeout=30)
        assert response.status_code == 200, response.text[:500]
        assert php_problems(response.text) == []
        return response


PHP_MESSAGE = re.compile(
    r"<b>(?P<kind>Fatal error|Parse error|Warning|Notice|Deprecated)</b>:\s*(?P<text>.*?)"
    r" in <b>(?P<file>[^<]+)</b>",
    re.S,
)


def php_problems(html: str) -> list[str]:
    """PHP errors, warnings and notices printed into a page (WP_DEBUG_DISPLAY is on). WordPress
    6.1's own files raise deprecations under PHP 8.2 (its bundled Requests library); those are
    not ours. Anything from the plugin or the theme, or anything worse than a deprecation, is."""
    found = []
    for match in PHP_MESSAGE.finditer(html):
        ours = "/pz-personalization/" in match["file"] or "/pz-test-theme/" in match["file"]
        if match["kind"] != "Deprecated" or ours:
            found.append(f"{match['kind']}: {match['text'].strip()} in {match['file']}")
    for kind in ("Fatal error", "Parse error"):
        if f"<b>{kind}</b>" in html and not any(f.startswith(kind) for f in found):
            found.append(kind)
    return found


CLI_MESSAGE = re.compile(
    r"(?P<kind>Fatal error|Parse error|Warning|Notice|Deprecated): +(?P<text>.*?) in (?P<file>\S+) on line"
)


def cli_problems(output: str) -> list[str]:
    """The same for a PHP command's output (no HTML there)."""
    return [
        f"{m['kind']}: {m['text']} in {m['file']}"
        for m in CLI_MESSAGE.finditer(output)
        if m["kind"] != "Deprecated"
        or "/pz-personalization/" in m["file"]
        or "/pz-test-theme/" in m["file"]
    ]


def test_php_problems_are_found() -> None:
    page = (
        "<br />\n<b>Deprecated</b>:  Return type of X in <b>/w/wp-includes/a.php</b> on line <b>1</b>"
        "<br />\n<b>Warning</b>:  Undefined array key in <b>/w/wp-content/plugins/pz-personalization/"
        "includes/b.php</b> on line <b>2</b>"
    )
    assert php_problems(page) == [
        "Warning: Undefined array key in /w/wp-content/plugins/pz-personalization/includes/b.php"
    ]


WP_CONFIG = """<?php
define( 'DB_NAME', '{db}' );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', '{mysql}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{keys}
$table_prefix = 'wp_';
define( 'WP_HOME', '{url}' );
define( 'WP_SITEURL', '{url}' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', true );
define( 'WP_DEBUG_LOG', false );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
// No calls to wordpress.org; the stub API on loopback stays reachable.
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'WP_ACCESSIBLE_HOSTS', '127.0.0.1,localhost' );
define( 'FS_METHOD', 'direct' );
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""


@pytest.fixture(scope="module")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    reason = _why_not()
    if reason:
        pytest.skip(f"real WordPress test: {reason}")
    assert PHP is not None
    root = tmp_path_factory.mktemp("wordpress") / "site"
    shutil.copytree(WORDPRESS, root, symlinks=True)
    (root / "wp-config.php").unlink()
    plugin = root / "wp-content" / "plugins" / PLUGIN.name
    shutil.copytree(PLUGIN, plugin, ignore=shutil.ignore_patterns("pz.js"))
    build(plugin / "assets" / "pz.js")
    shutil.copytree(HERE / "pz-test-theme", root / "wp-content" / "themes" / "pz-test-theme")
    database = f"pz_wp_{os.getpid()}_{secrets.token_hex(3)}"
    created = _mysql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
    assert created.returncode == 0, created.stderr
    stub = StubAPI().start()
    port = _free_port()
    host = f"127.0.0.1:{port}"
    keys = "\n".join(
        f"define( '{name}', '{secrets.token_hex(24)}' );"
        for name in (
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        )
    )
    (root / "wp-config.php").write_text(
        WP_CONFIG.format(
            db=database, mysql=f"{MYSQL_HOST}:{MYSQL_PORT}", keys=keys, url=f"http://{host}"
        )
    )
    server = None
    try:
        setup = subprocess.run(
            [PHP, str(HERE / "setup.php"), str(root), host, f"{stub.url}/api/v1/", stub.url],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=root,
        )
        assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
        assert cli_problems(setup.stdout + setup.stderr) == []
        made = json.loads(setup.stdout[setup.stdout.index("{") :])
        log = (root.parent / "php-server.log").open("w")
        server = subprocess.Popen(
            [PHP, "-S", host, "-t", str(root)], stdout=log, stderr=subprocess.STDOUT, cwd=root
        )
        _wait_for(port)
        yield Site(url=f"http://{host}", host=host, root=root, made=made, stub=stub)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        stub.stop()
        _mysql(f"DROP DATABASE IF EXISTS `{database}`")
        shutil.rmtree(root, ignore_errors=True)


SLOT = re.compile(
    r"<section\b[^>]*\bdata-pz-slot=\"(?P<name>[^\"]+)\"[^>]*>(?P<body>.*?)</section>", re.S
)


def slots(html: str) -> dict[str, dict[str, Any]]:
    found = {}
    for match in SLOT.finditer(html):
        tag = match.group(0)[: match.group(0).index(">") + 1]
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        found[match.group("name")] = {
            "attrs": attrs,
            "cards": len(
                re.findall(r"<(?:article|li)\b[^>]*\bdata-pz-product-id=", match.group("body"))
            ),
        }
    return found


def assert_deferred_script(html: str) -> None:
    tags = re.findall(r"<script\b[^>]*>", html)
    ours = [t for t in tags if "/pz-personalization/assets/pz.js" in t]
    assert len(ours) == 1, tags
    tag = ours[0]
    assert re.search(r"\sdefer[\s>=]", tag), tag
    assert 'data-shop-key="pk_wordpress_test"' in tag
    assert re.search(r'data-api-base="http://127\.0\.0\.1:\d+/api/v1/"', tag)
    # In the footer, after the content, with its config just before it.
    assert html.index(tag) > html.index("</main>")
    assert "window.pzPlugin=" in html[: html.index(tag)]


def test_shortcodes_print_each_slot_with_reserved_space_and_the_deferred_script(wordpress):
    html = wordpress.get("/", page_id=str(wordpress.made["pages"]["shortcodes"])).text
    found = slots(html)
    assert list(found) == [
        "home-recommended",
        "product-related",
        "product-recently-viewed",
        "ugc-gallery",
    ]
    assert {name: s["attrs"]["data-pz-limit"] for name, s in found.items()} == {
        "home-recommended": "4",
        "product-related": "4",
        "product-recently-viewed": "3",
        "ugc-gallery": "6",
    }
    # the space is reserved before anything loads: a fixed number of cards and a min-height
    assert {name: s["cards"] for name, s in found.items()} == {
        "home-recommended": 4,
        "product-related": 4,
        "product-recently-viewed": 3,
        "ugc-gallery": 6,
    }
    assert found["home-recommended"]["attrs"]["style"] == "min-height:380px"
    assert found["ugc-gallery"]["attrs"]["style"] == "min-height:300px"
    assert found["home-recommended"]["attrs"]["data-pz-placement"] == "homepage"
    # without WooCommerce there is no usable fallback to keep if the API fails
    assert "data-pz-fallback" not in found["home-recommended"]["attrs"]
    assert_deferred_script(html)
    assert '<meta name="pz-page" content="other">' in html
    assert "pz-slots.css" in html


def test_blocks_print_the_same_slots(wordpress):
    html = wordpress.get("/", page_id=str(wordpress.made["pages"]["blocks"])).text
    found = slots(html)
    assert list(found) == [
        "home-recommended",
        "product-bought-together",
        "product-recently-viewed",
        "ugc-gallery",
    ]
    assert {name: s["cards"] for name, s in found.items()} == {
        "home-recommended": 4,
        "product-bought-together": 4,
        "product-recently-viewed": 4,
        "ugc-gallery": 3,
    }
    assert ">Bought together</h2>" in html
    assert_deferred_script(html)


def test_menu_is_reordered_by_the_nav_filter(wordpress):
    terms = [str(t) for t in wordpress.made["terms"]]
    html = wordpress.get("/").text
    menu = html[html.index("<nav") : html.index("</nav>")]
    assert "data-pz-nav" in menu
    titles = re.findall(r"<a\b[^>]*>([^<]+)</a>", menu)
    # the categories in the order the API gave (it reverses), the other items where they were
    assert titles == ["Home", "Lighting", "Garden", "Kitchen", "Contact"]
    linked = re.findall(r'data-pz-collection-id="(\d+)"', menu)
    assert linked == list(reversed(terms))
    asked = [q for path, q, _ in wordpress.stub.requests if path == "/api/v1/decide" and "nav" in q]
    assert asked
    assert asked[0]["nav"] == ",".join(terms)
    assert "visitor" not in asked[0]


def test_product_search_is_reranked_and_keeps_the_store_order_when_the_api_is_slow(wordpress):
    def titles(html: str) -> list[str]:
        return re.findall(r'<h2 class="entry-title">([^<]+)</h2>', html)

    html = wordpress.get("/", s="Widget", post_type="product").text
    asked = [q for path, q, _ in wordpress.stub.requests if q.get("page") == "search"]
    store_order = asked[-1]["results"].split(",")
    assert len(store_order) == 4
    by_id = {str(v): k for k, v in wordpress.made["products"].items()}
    assert titles(html) == [by_id[i] for i in reversed(store_order)]
    # when the API takes longer than the plugin waits, the store's own order stays
    wordpress.stub.slow_search = True
    try:
        started = time.monotonic()
        html = wordpress.get("/", s="Gadget", post_type="product").text
        elapsed = time.monotonic() - started
    finally:
        wordpress.stub.slow_search = False
    asked = [q for path, q, _ in wordpress.stub.requests if q.get("page") == "search"]
    store_order = asked[-1]["results"].split(",")
    assert titles(html) == [by_id[i] for i in store_order]
    assert elapsed < 1.9


def test_product_search_sends_the_query_and_drops_what_a_hide_rule_hides(wordpress):
    def titles(html: str) -> list[str]:
        return re.findall(r'<h2 class="entry-title">([^<]+)</h2>', html)

    html = wordpress.get("/", s="widget", post_type="product").text
    asked = [q for path, q, _ in wordpress.stub.requests if q.get("page") == "search"]
    assert asked[-1]["q"] == "widget"
    store_order = asked[-1]["results"].split(",")
    by_id = {str(v): k for k, v in wordpress.made["products"].items()}
    # the stub hid the store's first result and reversed the rest
    assert titles(html) == [by_id[i] for i in reversed(store_order[1:])]


def test_privacy_exporter_and_eraser_forward_signed_requests(wordpress):
    result = subprocess.run(
        [
            PHP or "php",
            str(HERE / "privacy.php"),
            str(wordpress.root),
            wordpress.host,
            "ada@example.com",
            "good-code",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=wordpress.root,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert cli_problems(result.stdout + result.stderr) == []
    out = json.loads(result.stdout[result.stdout.index("{") :])
    assert out["exporter_name"] == "Personalization"
    assert out["export"] == {
        "data": [
            {
                "group_id": "pz-customer",
                "group_label": "Personalization: customer",
                "item_id": "pz-customer-0",
                "data": [
                    {"name": "email", "value": "ada@example.com"},
                    {"name": "country", "value": "GB"},
                ],
            }
        ],
        "done": True,
    }
    assert out["erase"] == {
        "items_removed": True,
        "items_retained": False,
        "messages": [],
        "done": True,
    }
    assert wordpress.stub.signatures_ok[-2:] == [True, True]
    assert out["claimed"]["storefront_key"] == "pk_claimed"
    assert out["claimed"]["plugin_secret"] == "claimed-secret"
    assert "personalization service" in out["policy"]


def wp_php(site: Site, code: str) -> str:
    """Run PHP inside the test WordPress (loaded as a page request would), returning its output."""
    bootstrap = (
        f"$_SERVER['HTTP_HOST'] = {json.dumps(site.host)};"
        "$_SERVER['REQUEST_URI'] = '/';"
        f"require {json.dumps(str(site.root / 'wp-load.php'))};"
    )
    result = subprocess.run(
        [PHP or "php", "-r", bootstrap + code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=site.root,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def overlay_tags(html: str) -> list[str]:
    return [
        t
        for t in re.findall(r"<script\b[^>]*>", html)
        if "/pz-personalization/assets/pz-overlay.js" in t
    ]


def test_the_overlay_script_is_enqueued_only_while_campaigns_are_live(wordpress):
    page = str(wordpress.made["pages"]["shortcodes"])
    # given an app that runs no on-site campaign
    wordpress.stub.campaigns_live = False
    wp_php(wordpress, "delete_transient('pz_campaigns_live');")
    html = wordpress.get("/", page_id=page).text
    # then the page does not load the overlay script, and asked the app once with its key
    assert overlay_tags(html) == []
    asked = [q for path, q, _ in wordpress.stub.requests if path == "/api/v1/campaigns/live"]
    assert asked
    assert asked[-1] == {"key": "pk_wordpress_test"}
    # when a campaign goes live (and the five-minute answer expires)
    wordpress.stub.campaigns_live = True
    wp_php(wordpress, "delete_transient('pz_campaigns_live');")
    html = wordpress.get("/", page_id=page).text
    # then the overlay script is in the footer, deferred, with what it reads
    (tag,) = overlay_tags(html)
    assert re.search(r"\sdefer[\s>=]", tag), tag
    assert "data-pz-overlay" in tag
    assert 'data-shop-key="pk_wordpress_test"' in tag
    assert re.search(r'data-api-base="http://127\.0\.0\.1:\d+/api/v1/"', tag)
    assert html.index(tag) > html.index("</main>")
    # and the answer is kept: the next page does not ask again
    before = len(wordpress.stub.requests)
    assert overlay_tags(wordpress.get("/", page_id=page).text) == [tag]
    assert not [r for r in wordpress.stub.requests[before:] if r[0] == "/api/v1/campaigns/live"]
    wordpress.stub.campaigns_live = False
    wp_php(wordpress, "delete_transient('pz_campaigns_live');")


def test_the_campaign_slot_shortcode_reserves_space(wordpress):
    html = wp_php(wordpress, "echo do_shortcode('[pz_campaign_slot min_height=\"200\"]');")
    assert html.strip() == (
        '<div class="pz-campaign-slot" data-pz-campaign-slot style="min-height:200px"></div>'
    )
