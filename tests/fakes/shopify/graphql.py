"""Admin GraphQL over the fake store: the root fields our documents use, cost accounting with a
leaky bucket, and bulk operations that write JSONL with children out of order.

Documents are parsed with graphql-core and answered by projecting the fake's objects through the
selection set, so a field the fake object does not have fails as Shopify would fail a misspelled
one ("Field 'x' doesn't exist on type 'Product'").
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graphql import parse
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.utilities import value_from_ast_untyped

from tests.fakes.shopify.discounts import FakeDiscounts
from tests.fakes.shopify.store import (
    FakeCollection,
    FakeCustomer,
    FakeOrder,
    FakeProduct,
    FakeShopData,
    gid,
    iso,
)

MAX_SINGLE_QUERY_COST = 1000


class GraphQLFailure(Exception):
    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Connection:
    typename: str
    nodes: list[dict[str, Any]]


def _money(amount: str, currency: str) -> dict[str, Any]:
    return {
        "__typename": "MoneyBag",
        "shopMoney": {"__typename": "MoneyV2", "amount": amount, "currencyCode": currency},
    }


def product_node(p: FakeProduct) -> dict[str, Any]:
    return {
        "__typename": "Product",
        "id": gid("Product", p.id),
        "title": p.title,
        "handle": p.handle,
        "vendor": p.vendor,
        "productType": p.product_type,
        "tags": list(p.tags),
        "descriptionHtml": p.body_html,
        "status": p.status.upper(),
        "createdAt": iso(p.created_at),
        "updatedAt": iso(p.updated_at),
        "featuredMedia": {
            "__typename": "MediaImage",
            "preview": {
                "__typename": "MediaPreviewImage",
                "image": {"__typename": "Image", "url": p.image["src"], "altText": p.image["alt"]},
            },
        }
        if p.image
        else None,
        "variants": Connection(
            "ProductVariant",
            [
                {
                    "__typename": "ProductVariant",
                    "id": gid("ProductVariant", v.id),
                    "title": v.title,
                    "sku": v.sku,
                    "price": v.price,
                    "compareAtPrice": v.compare_at_price,
                    "inventoryQuantity": v.inventory_quantity,
                    "availableForSale": v.available_for_sale,
                    "position": v.position,
                    "product": {"__typename": "Product", "id": gid("Product", p.id)},
                }
                for v in p.variants
            ],
        ),
    }


def collection_node(c: FakeCollection, data: FakeShopData) -> dict[str, Any]:
    return {
        "__typename": "Collection",
        "id": gid("Collection", c.id),
        "title": c.title,
        "handle": c.handle,
        "descriptionHtml": c.body_html,
        "sortOrder": "MANUAL",
        "updatedAt": iso(c.updated_at),
        "products": Connection(
            "Product",
            [
                {"__typename": "Product", "id": gid("Product", pid)}
                for pid in c.product_ids
                if data.product_alive(pid)
            ],
        ),
    }


def customer_node(c: FakeCustomer) -> dict[str, Any]:
    return {
        "__typename": "Customer",
        "id": gid("Customer", c.id),
        "firstName": c.first_name,
        "lastName": c.last_name,
        "defaultEmailAddress": {
            "__typename": "CustomerEmailAddress",
            "emailAddress": c.email,
            "marketingState": c.marketing_state.upper(),
        },
        "tags": list(c.tags),
        "createdAt": iso(c.created_at),
        "updatedAt": iso(c.updated_at),
        "defaultAddress": {"__typename": "MailingAddress", "countryCodeV2": c.country},
    }


def order_node(o: FakeOrder, data: FakeShopData) -> dict[str, Any]:
    return {
        "__typename": "Order",
        "id": gid("Order", o.id),
        "name": o.name,
        "createdAt": iso(o.created_at),
        "updatedAt": iso(o.updated_at),
        "cancelledAt": iso(o.cancelled_at) if o.cancelled_at else None,
        "currencyCode": o.currency,
        "displayFinancialStatus": o.financial_status.upper(),
        "subtotalPriceSet": _money(o.subtotal, o.currency),
        "totalPriceSet": _money(o.total, o.currency),
        "totalRefundedSet": _money(o.refunded, o.currency),
        "customer": {"__typename": "Customer", "id": gid("Customer", o.customer_id)}
        if o.customer_id
        else None,
        "shippingAddress": {"__typename": "MailingAddress", "countryCodeV2": o.country},
        "lineItems": Connection(
            "LineItem",
            [
                {
                    "__typename": "LineItem",
                    "id": gid("LineItem", ln.id),
                    "title": ln.title,
                    "sku": ln.sku,
                    "quantity": ln.quantity,
                    "originalUnitPriceSet": _money(ln.price, o.currency),
                    "product": {"__typename": "Product", "id": gid("Product", ln.product_id)}
                    if data.product_alive(ln.product_id)
                    else None,
                    "variant": {
                        "__typename": "ProductVariant",
                        "id": gid("ProductVariant", ln.variant_id),
                    }
                    if data.product_alive(ln.product_id)
                    else None,
                }
                for ln in o.lines
            ],
        ),
    }


def _matches(query: str | None, updated_at: str) -> bool:
    """The one search syntax our documents use: updated_at:>'ISO'."""
    if not query:
        return True
    if not query.startswith("updated_at:>"):
        raise GraphQLFailure(f"unsupported search query {query!r}")
    since = datetime.fromisoformat(query.split(">", 1)[1].strip("'\"").replace("Z", "+00:00"))
    return datetime.fromisoformat(updated_at.replace("Z", "+00:00")) > since


@dataclass
class Bucket:
    maximum: float
    restore_rate: float
    available: float
    at: float = field(default_factory=time.monotonic)

    def refill(self) -> None:
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.at) * self.restore_rate)
        self.at = now


@dataclass
class BulkOperation:
    id: str
    status: str
    polls_left: int
    lines: int
    url: str | None


class AdminGraphQL:
    """One fake shop's Admin GraphQL endpoint."""

    def __init__(
        self,
        data: FakeShopData,
        *,
        bulk_dir: Path,
        bulk_url: Callable[[str], str],
        bucket_size: float = 2000,
        restore_rate: float = 100,
        bulk_polls: int = 1,
        seed: int = 11,
    ) -> None:
        self.data = data
        self.bucket = Bucket(bucket_size, restore_rate, bucket_size)
        self.bulk_dir = bulk_dir
        self.bulk_url = bulk_url
        self.bulk_polls = bulk_polls
        self.bulk_operations: dict[str, BulkOperation] = {}
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.throttled = 0
        self.queries = 0
        self.web_pixels: list[dict[str, Any]] = []
        self.app_metafields: dict[tuple[str, str], str] = {}
        self.discounts = FakeDiscounts()

    # Entry point

    def execute(self, query: str, variables: dict[str, Any] | None) -> dict[str, Any]:
        with self.lock:
            self.queries += 1
            try:
                document = parse(query)
            except Exception as exc:
                return {"errors": [{"message": f"Parse error: {exc}"}]}
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) != 1:
                return {"errors": [{"message": "exactly one operation is supported"}]}
            operation = operations[0]
            values = dict(variables or {})
            for definition in operation.variable_definitions or ():
                name = definition.variable.name.value
                if name not in values and definition.default_value is not None:
                    values[name] = value_from_ast_untyped(definition.default_value)
            requested = self._cost(operation.selection_set, fragments, values)
            if operation.operation.value == "mutation":
                requested += 10
            if requested > MAX_SINGLE_QUERY_COST:
                return {
                    "errors": [
                        {
                            "message": f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_SINGLE_QUERY_COST}).",
                            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested},
                        }
                    ]
                }
            self.bucket.refill()
            if requested > self.bucket.available:
                self.throttled += 1
                return {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/rate-limits",
                            },
                        }
                    ],
                    "extensions": {"cost": self._cost_extension(requested, 0)},
                }
            try:
                data = self._select(
                    self._root(operation.operation.value),
                    operation.selection_set,
                    fragments,
                    values,
                )
            except GraphQLFailure as exc:
                return {"errors": [{"message": str(exc), "extensions": {"code": exc.code}}]}
            actual = min(requested, 1 + _count_objects(data))
            self.bucket.available -= actual
            return {"data": data, "extensions": {"cost": self._cost_extension(requested, actual)}}

    def _cost_extension(self, requested: float, actual: float) -> dict[str, Any]:
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual or None,
            "throttleStatus": {
                "maximumAvailable": self.bucket.maximum,
                "currentlyAvailable": int(self.bucket.available),
                "restoreRate": self.bucket.restore_rate,
            },
        }

    # Cost: objects 1, scalars 0, connections 2 + first x (cost of a node)

    def _cost(
        self, selection: SelectionSetNode | None, fragments: dict[str, Any], values: dict[str, Any]
    ) -> int:
        if selection is None:
            return 0
        total = 0
        for node in selection.selections:
            if isinstance(node, FragmentSpreadNode):
                total += self._cost(fragments[node.name.value].selection_set, fragments, values)
            elif isinstance(node, InlineFragmentNode):
                total += self._cost(node.selection_set, fragments, values)
            elif isinstance(node, FieldNode) and node.selection_set is not None:
                args = {
                    a.name.value: value_from_ast_untyped(a.value, values) for a in node.arguments
                }
                inner = self._cost(node.selection_set, fragments, values)
                if node.name.value in ("edges", "node"):
                    total += inner
                elif "first" in args or "last" in args:
                    total += 2 + int(args.get("first") or args.get("last") or 0) * max(inner, 1)
                elif node.name.value == "nodes" and "ids" in args:
                    total += len(args["ids"]) * (1 + inner)
                else:
                    total += 1 + inner
        return total

    # Resolution

    def _root(self, operation: str) -> dict[str, Any]:
        if operation == "mutation":
            return {
                "__typename": "Mutation",
                "bulkOperationRunQuery": self._bulk_run,
                "webPixelCreate": self._web_pixel_create,
                "metafieldsSet": self._metafields_set,
                "discountCodeBasicCreate": self.discounts.create,
            }
        return {
            "__typename": "QueryRoot",
            "currentAppInstallation": lambda args: {
                "__typename": "AppInstallation",
                "id": "gid://shopify/AppInstallation/1",
            },
            "shop": lambda args: {
                "__typename": "Shop",
                "id": "gid://shopify/Shop/1",
                "name": self.data.name,
                "myshopifyDomain": self.data.domain,
                "currencyCode": self.data.currency,
                "ianaTimezone": self.data.timezone,
            },
            "products": lambda args: self._list(
                [product_node(p) for p in self.data.products.values() if not p.deleted], args
            ),
            "collections": lambda args: self._list(
                [
                    collection_node(c, self.data)
                    for c in self.data.collections.values()
                    if not c.deleted
                ],
                args,
            ),
            "customers": lambda args: self._list(
                [customer_node(c) for c in self.data.customers.values() if not c.deleted], args
            ),
            "orders": lambda args: self._list(
                [order_node(o, self.data) for o in self.data.orders.values() if not o.deleted], args
            ),
            "nodes": lambda args: [self._node(i) for i in args["ids"]],
            "collection": lambda args: self._node(args["id"]),
            "inventoryItem": self._inventory_item,
            "bulkOperation": self._bulk_get,
        }

    def _list(self, nodes: list[dict[str, Any]], args: dict[str, Any]) -> Connection:
        query = args.get("query")
        nodes = [n for n in nodes if _matches(query, n.get("updatedAt", ""))]
        if args.get("sortKey") == "UPDATED_AT":
            nodes.sort(key=lambda n: (n["updatedAt"], n["id"]))
        return Connection(nodes[0]["__typename"] if nodes else "Node", nodes)

    def _node(self, global_id: str) -> dict[str, Any] | None:
        parts = global_id.split("/")
        kind, number = parts[3], int(parts[4])
        if kind == "Product":
            product = self.data.products.get(number)
            return product_node(product) if product and not product.deleted else None
        if kind == "Customer":
            customer = self.data.customers.get(number)
            return customer_node(customer) if customer and not customer.deleted else None
        if kind == "Collection":
            collection = self.data.collections.get(number)
            return (
                collection_node(collection, self.data)
                if collection and not collection.deleted
                else None
            )
        if kind == "Order":
            order = self.data.orders.get(number)
            return order_node(order, self.data) if order and not order.deleted else None
        return None

    def _inventory_item(self, args: dict[str, Any]) -> dict[str, Any] | None:
        number = int(args["id"].rsplit("/", 1)[1])
        for product in self.data.products.values():
            for variant in product.variants:
                if variant.inventory_item_id == number and not product.deleted:
                    return {
                        "__typename": "InventoryItem",
                        "id": args["id"],
                        "variants": Connection(
                            "ProductVariant",
                            [
                                {
                                    "__typename": "ProductVariant",
                                    "id": gid("ProductVariant", variant.id),
                                    "product": {
                                        "__typename": "Product",
                                        "id": gid("Product", product.id),
                                    },
                                }
                            ],
                        ),
                    }
        return None

    def _select(
        self,
        obj: dict[str, Any],
        selection: SelectionSetNode,
        fragments: dict[str, Any],
        values: dict[str, Any],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        typename = obj.get("__typename", "Object")
        for node in selection.selections:
            if isinstance(node, FragmentSpreadNode):
                fragment = fragments[node.name.value]
                if fragment.type_condition.name.value == typename:
                    out.update(self._select(obj, fragment.selection_set, fragments, values))
                continue
            if isinstance(node, InlineFragmentNode):
                if node.type_condition is None or node.type_condition.name.value == typename:
                    out.update(self._select(obj, node.selection_set, fragments, values))
                continue
            assert isinstance(node, FieldNode)
            name = node.name.value
            key = node.alias.value if node.alias else name
            if name == "__typename":
                out[key] = typename
                continue
            if name not in obj:
                raise GraphQLFailure(
                    f"Field '{name}' doesn't exist on type '{typename}'", "undefinedField"
                )
            args = {a.name.value: value_from_ast_untyped(a.value, values) for a in node.arguments}
            value = obj[name]
            if callable(value):
                value = value(args)
            out[key] = self._value(value, node, args, fragments, values)
        return out

    def _value(
        self,
        value: Any,
        node: FieldNode,
        args: dict[str, Any],
        fragments: dict[str, Any],
        values: dict[str, Any],
    ) -> Any:
        if value is None or node.selection_set is None:
            return value
        if isinstance(value, Connection):
            return self._select(self._page(value, args), node.selection_set, fragments, values)
        if isinstance(value, list):
            return [
                None if v is None else self._select(v, node.selection_set, fragments, values)
                for v in value
            ]
        return self._select(value, node.selection_set, fragments, values)

    def _page(self, connection: Connection, args: dict[str, Any]) -> dict[str, Any]:
        first = args.get("first")
        if first is None:
            raise GraphQLFailure(
                "you must provide one of first or last", "argumentLiteralsIncompatible"
            )
        if first > 250:
            raise GraphQLFailure("first: maximum is 250", "argumentLiteralsIncompatible")
        start = int(args["after"]) if args.get("after") else 0
        window = connection.nodes[start : start + first]
        return {
            "__typename": f"{connection.typename}Connection",
            "edges": [
                {
                    "__typename": f"{connection.typename}Edge",
                    "cursor": str(start + i + 1),
                    "node": n,
                }
                for i, n in enumerate(window)
            ],
            "nodes": window,
            "pageInfo": {
                "__typename": "PageInfo",
                "hasNextPage": start + first < len(connection.nodes),
                "endCursor": str(start + len(window)) if window else None,
                "hasPreviousPage": start > 0,
                "startCursor": str(start + 1) if window else None,
            },
        }

    # Bulk operations

    def _bulk_run(self, args: dict[str, Any]) -> dict[str, Any]:
        running = [
            op for op in self.bulk_operations.values() if op.status in ("CREATED", "RUNNING")
        ]
        if len(running) >= 5:
            return {
                "__typename": "BulkOperationRunQueryPayload",
                "bulkOperation": None,
                "userErrors": [
                    {
                        "__typename": "BulkOperationUserError",
                        "field": ["query"],
                        "message": "A bulk query operation for this app and shop is already in progress.",
                        "code": "OPERATION_IN_PROGRESS",
                    }
                ],
            }
        operation_id = f"gid://shopify/BulkOperation/{len(self.bulk_operations) + 1}"
        lines = self._bulk_lines(args["query"], grouped=bool(args.get("groupObjects")))
        token = f"op{len(self.bulk_operations) + 1}-{self.rng.randrange(10**9)}"
        path = self.bulk_dir / f"{token}.jsonl"
        with path.open("w") as handle:
            for line in lines:
                handle.write(json.dumps(line, separators=(",", ":")))
                handle.write("\n")
        self.bulk_operations[operation_id] = BulkOperation(
            id=operation_id,
            status="CREATED",
            polls_left=self.bulk_polls,
            lines=len(lines),
            url=self.bulk_url(path.name) if lines else None,
        )
        return {
            "__typename": "BulkOperationRunQueryPayload",
            "bulkOperation": {
                "__typename": "BulkOperation",
                "id": operation_id,
                "status": "CREATED",
            },
            "userErrors": [],
        }

    def _bulk_get(self, args: dict[str, Any]) -> dict[str, Any] | None:
        operation = self.bulk_operations.get(args["id"])
        if operation is None:
            return None
        if operation.status in ("CREATED", "RUNNING"):
            if operation.polls_left <= 0:
                operation.status = "COMPLETED"
            else:
                operation.status = "RUNNING"
                operation.polls_left -= 1
        done = operation.status == "COMPLETED"
        return {
            "__typename": "BulkOperation",
            "id": operation.id,
            "status": operation.status,
            "errorCode": None,
            "objectCount": str(operation.lines if done else 0),
            "url": operation.url if done else None,
            "partialDataUrl": None,
        }

    def _bulk_lines(self, query: str, *, grouped: bool) -> list[dict[str, Any]]:
        """Every object as its own line; nested connection nodes carry __parentId. Without
        grouping, a third of the children are moved before their parent or far from it."""
        document = parse(query)
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        roots = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
        if len(roots) != 1:
            raise GraphQLFailure("a bulk query has exactly one root connection")
        root = roots[0]
        connection = self._root("query")[root.name.value]({**{"first": None}})
        assert isinstance(connection, Connection)
        node_selection = _node_selection(root)
        lines: list[dict[str, Any]] = []
        children: list[dict[str, Any]] = []
        for node in connection.nodes:
            flat, nested = self._split(node, node_selection)
            lines.append(flat)
            for child in nested:
                children.append(child)
        if grouped:
            return lines + children
        output = lines[:]
        for child in children:
            if self.rng.random() < 0.33:
                output.insert(self.rng.randrange(len(output) + 1), child)
            else:
                output.append(child)
        return output

    def _split(
        self, node: dict[str, Any], selection: SelectionSetNode
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        flat_selection = SelectionSetNode(
            selections=tuple(
                s
                for s in selection.selections
                if not (isinstance(s, FieldNode) and isinstance(node.get(s.name.value), Connection))
            )
        )
        flat = self._select(node, flat_selection, {}, {})
        children = []
        for s in selection.selections:
            if isinstance(s, FieldNode) and isinstance(node.get(s.name.value), Connection):
                for child in node[s.name.value].nodes:
                    line = self._select(child, _node_selection(s), {}, {})
                    line["__parentId"] = node["id"]
                    children.append(line)
        return flat, children

    def _metafields_set(self, args: dict[str, Any]) -> dict[str, Any]:
        written = []
        for metafield in args["metafields"]:
            if metafield["ownerId"] != "gid://shopify/AppInstallation/1":
                return {
                    "__typename": "MetafieldsSetPayload",
                    "metafields": [],
                    "userErrors": [
                        {
                            "__typename": "MetafieldsSetUserError",
                            "field": ["ownerId"],
                            "message": "Owner does not exist",
                            "code": "INVALID_VALUE",
                        }
                    ],
                }
            self.app_metafields[(metafield["namespace"], metafield["key"])] = metafield["value"]
            written.append(
                {
                    "__typename": "Metafield",
                    "namespace": metafield["namespace"],
                    "key": metafield["key"],
                    "value": metafield["value"],
                }
            )
        return {"__typename": "MetafieldsSetPayload", "metafields": written, "userErrors": []}

    def _web_pixel_create(self, args: dict[str, Any]) -> dict[str, Any]:
        settings = args["webPixel"]["settings"]
        self.web_pixels.append(settings)
        return {
            "__typename": "WebPixelCreatePayload",
            "webPixel": {
                "__typename": "WebPixel",
                "id": "gid://shopify/WebPixel/1",
                "settings": json.dumps(settings),
            },
            "userErrors": [],
        }


def _node_selection(connection_field: FieldNode) -> SelectionSetNode:
    """`edges { node { ... } }` (or `nodes { ... }`) of a connection field in a bulk query."""
    assert connection_field.selection_set is not None
    for s in connection_field.selection_set.selections:
        if isinstance(s, FieldNode) and s.name.value == "edges" and s.selection_set:
            for inner in s.selection_set.selections:
                if (
                    isinstance(inner, FieldNode)
                    and inner.name.value == "node"
                    and inner.selection_set
                ):
                    return inner.selection_set
        if isinstance(s, FieldNode) and s.name.value == "nodes" and s.selection_set:
            return s.selection_set
    raise GraphQLFailure(f"{connection_field.name.value}: a bulk connection needs edges.node")


def _count_objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_objects(v) for v in value)
    return 0
