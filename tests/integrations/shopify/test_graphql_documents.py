"""Every GraphQL document we send, validated against the pinned Admin schema from
@shopify/dev-mcp (installed by the test setup from package.json), with the scopes it needs."""

from __future__ import annotations

import gzip
import json
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from graphql import (
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    build_client_schema,
    get_named_type,
    parse,
    validate,
    visit,
)
from graphql.language import FieldNode, Visitor
from graphql.validation import NoDeprecatedCustomRule, specified_rules

from integrations.shopify.bulk import bulk_query_text
from integrations.shopify.client import document, document_names

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_DIR = ROOT / "node_modules" / "@shopify" / "dev-mcp" / "dist" / "data"
APP_TOML = ROOT / "integrations" / "shopify" / "shopify.app.toml"

pytestmark = pytest.mark.skipif(
    not SCHEMA_DIR.exists(),
    reason="node_modules/@shopify/dev-mcp is not installed (scripts/test.sh runs `npm ci` when "
    "node and npm are on the machine)",
)


@cache
def admin_schema() -> tuple[GraphQLSchema, dict[tuple[str, str | None], list[str]]]:
    path = SCHEMA_DIR / f"admin_{settings.SHOPIFY_API_VERSION}.json.gz"
    raw = json.loads(gzip.decompress(path.read_bytes()))
    scopes = {
        (item["typeName"], item.get("fieldName")): item["offlineScopes"]
        for item in raw["offline_scopes"]["items"]
        if item["offlineScopes"]
    }
    return build_client_schema(raw["data"], assume_valid=True), scopes


def validation_errors(text: str) -> list[str]:
    schema, _scopes = admin_schema()
    rules = [*specified_rules, NoDeprecatedCustomRule]
    return [error.message for error in validate(schema, parse(text), rules)]


def needed_scopes(text: str) -> list[list[str]]:
    """For each type and field the document touches that needs a scope: the scopes that would do
    (any one of them)."""
    schema, scopes = admin_schema()
    type_info = TypeInfo(schema)
    needs: list[list[str]] = []

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *args: Any) -> None:
            parent = type_info.get_parent_type()
            field = type_info.get_field_def()
            if parent is None or field is None:
                return
            for key in ((parent.name, node.name.value), (get_named_type(field.type).name, None)):
                if key in scopes:
                    needs.append(scopes[key])

    visit(parse(text), TypeInfoVisitor(type_info, Collect()))
    return needs


def granted() -> set[str]:
    config = tomllib.loads(APP_TOML.read_text())
    scopes = {s.strip() for s in config["access_scopes"]["scopes"].split(",")}
    # A write scope includes its read scope.
    return scopes | {s.replace("write_", "read_") for s in scopes if s.startswith("write_")}


def test_the_pinned_schema_is_there():
    assert (SCHEMA_DIR / f"admin_{settings.SHOPIFY_API_VERSION}.json.gz").exists()


@pytest.mark.parametrize("name", document_names())
def test_document_is_valid_against_the_admin_schema(name):
    assert validation_errors(document(name)) == []


@pytest.mark.parametrize(
    "name", [n for n in document_names() if n.startswith("bulk_") and "operation" not in n]
)
def test_bulk_query_string_is_valid_too(name):
    # the string bulkOperationRunQuery receives is itself a query Shopify validates
    assert validation_errors(bulk_query_text(name)) == []


@pytest.mark.parametrize("name", document_names())
def test_document_scopes_are_requested_in_the_app_toml(name):
    missing = [options for options in needed_scopes(document(name)) if not set(options) & granted()]
    assert missing == []


def test_a_misspelled_field_fails():
    # given a document with one field misspelled
    broken = document("shop_get").replace("currencyCode", "currencyCod")
    # then the same validation reports it by name
    assert validation_errors(broken) == [
        "Cannot query field 'currencyCod' on type 'Shop'. Did you mean 'currencyCode'?"
    ]


def test_a_missing_scope_is_reported():
    # given an app that dropped read_orders
    needs = needed_scopes(document("bulk_orders"))
    assert ["read_orders", "read_marketplace_orders", "read_quick_sale"] in needs
