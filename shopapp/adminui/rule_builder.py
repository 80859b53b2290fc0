"""The segment builder's form: condition rows <-> the rule language's JSON AST.

A rule built here is one combinator over condition rows, `{"all" | "any": [row, ...]}`, where a
row is a field or event condition, wrapped in `{"not": ...}` when negated. Validation is the rule
language's own (`compile_rule`); its `RuleError` path (`$.all[2].not`) is mapped back to the row
that caused it, so the message shows next to that row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from personalization.engine.segment_rules import FIELDS, RuleError, compile_rule
from shopapp.languages.text import lazy_text as _lazy

MATCHES = {"all": _lazy("all conditions (AND)"), "any": _lazy("any condition (OR)")}

FIELD_LABELS = {
    "lifecycle": _lazy("Lifecycle stage"),
    "is_vip": _lazy("Is a VIP"),
    "rfm.r": _lazy("RFM recency score (0 to 5)"),
    "rfm.f": _lazy("RFM frequency score (0 to 5)"),
    "rfm.m": _lazy("RFM monetary score (0 to 5)"),
    "rfm.class": _lazy("RFM class"),
    "recency_days": _lazy("Days since last order"),
    "frequency": _lazy("Order frequency"),
    "monetary": _lazy("Net spend"),
    "top_category": _lazy("Top category"),
    "traffic_source": _lazy("Traffic source"),
    "device": _lazy("Device"),
    "country": _lazy("Country"),
    "cart.items": _lazy("Items in cart"),
    "cart.value": _lazy("Cart value"),
    "propensity": _lazy("Purchase propensity (0 to 1)"),
    "churn_risk": _lazy("Churn risk (0 to 1)"),
    "sessions": _lazy("Sessions"),
    "orders": _lazy("Orders"),
    "has_consent": _lazy("Has given consent"),
}
# Event-count conditions: "<type> events in the last n days".
EVENT_TYPES = {
    "page_view": _lazy("Page views"),
    "product_view": _lazy("Product views"),
    "collection_view": _lazy("Collection views"),
    "search": _lazy("Searches"),
    "add_to_cart": _lazy("Adds to cart"),
    "purchase": _lazy("Purchases"),
}
EVENT_PREFIX = "event:"

OP_LABELS = {
    "eq": _lazy("is"),
    "ne": _lazy("is not"),
    "gt": _lazy("is more than"),
    "gte": _lazy("is at least"),
    "lt": _lazy("is less than"),
    "lte": _lazy("is at most"),
    "between": _lazy("is between"),
    "in": _lazy("is one of"),
    "not_in": _lazy("is none of"),
    "contains": _lazy("contains"),
    "exists": _lazy("is known"),
}
# The order the menus show; the rule language decides what is valid (a test keeps them in step).
OPS_BY_KIND = {
    "number": ("gte", "lte", "gt", "lt", "eq", "ne", "between", "in", "not_in", "exists"),
    "string": ("eq", "ne", "contains", "in", "not_in", "exists"),
    "enum": ("eq", "ne", "in", "not_in", "exists"),
    "bool": ("eq", "ne", "exists"),
    "event": ("gte", "lte", "gt", "lt", "eq", "ne", "between"),
}
DEFAULT_WITHIN_DAYS = "30"
MAX_ROWS = 40
_ROW_KEY = re.compile(r"^row-(\d{1,3})-field$")
_RULE_PATH = re.compile(r"^\$\.(?:all|any)\[(\d+)\]")


def field_kind(name: str) -> str | None:
    if name.startswith(EVENT_PREFIX):
        return "event" if name[len(EVENT_PREFIX) :] in EVENT_TYPES else None
    spec = FIELDS.get(name)
    return spec.kind if spec else None


def field_label(name: str) -> str:
    if name.startswith(EVENT_PREFIX):
        event = name[len(EVENT_PREFIX) :]
        return _("%(events)s in the last days") % {"events": EVENT_TYPES.get(event, event)}
    return str(FIELD_LABELS.get(name, name.replace("_", " ").replace(".", " ").capitalize()))


def field_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for the field menu: every field of the rule language, then event counts."""
    profile = [(name, field_label(name)) for name in FIELDS]
    events = [(f"{EVENT_PREFIX}{event}", label) for event, label in EVENT_TYPES.items()]
    return [(_lazy("Profile"), profile), (_lazy("Events in a time window"), events)]


def enum_choices(name: str) -> list[str]:
    spec = FIELDS.get(name)
    return sorted(spec.choices) if spec and spec.kind == "enum" else []


@dataclass
class ConditionRow:
    index: int  # the form's row number: stable across adds and removes (ids keep focus)
    field: str = "orders"
    op: str = "gte"
    value: str = ""
    value2: str = ""  # the high end of `between`
    within_days: str = DEFAULT_WITHIN_DAYS
    negate: bool = False
    error: str = ""

    @property
    def kind(self) -> str:
        return field_kind(self.field) or "number"

    @property
    def ops(self) -> list[tuple[str, str]]:
        return [(op, OP_LABELS[op]) for op in OPS_BY_KIND[self.kind]]

    @property
    def is_event(self) -> bool:
        return self.kind == "event"

    @property
    def choices(self) -> list[str]:
        return enum_choices(self.field)


@dataclass
class BuilderForm:
    match: str = "all"
    rows: list[ConditionRow] = field(default_factory=list)
    form_error: str = ""

    @property
    def next_index(self) -> int:
        return max((row.index for row in self.rows), default=-1) + 1


def _parse_scalar(kind: str, text: str) -> Any:
    text = text.strip()
    if kind in ("number", "event"):
        try:
            number = float(text.replace(",", "")) if text else None
        except ValueError:
            return text  # the rule language names the problem ("compares with a number")
        if number is not None and number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number
    if kind == "bool":
        return {"true": True, "yes": True, "false": False, "no": False}.get(text.lower(), text)
    return text


def row_node(row: ConditionRow) -> dict[str, Any]:
    """One row as a rule node (without its NOT)."""
    kind = row.kind
    node: dict[str, Any]
    if kind == "event":
        node = {
            "event": row.field[len(EVENT_PREFIX) :],
            "within_days": _parse_scalar("number", row.within_days),
            "op": row.op,
        }
    else:
        node = {"field": row.field, "op": row.op}
    if row.op == "exists":
        node["value"] = row.value.strip().lower() not in ("false", "no")
    elif row.op == "between":
        if row.value.strip() and row.value2.strip():
            node["value"] = [_parse_scalar(kind, row.value), _parse_scalar(kind, row.value2)]
    elif row.op in ("in", "not_in"):
        items = [item for item in row.value.split(",") if item.strip()]
        if items:
            node["value"] = [_parse_scalar(kind, item) for item in items]
    elif row.value.strip():
        node["value"] = _parse_scalar(kind, row.value)
    return node


def form_rule(form: BuilderForm) -> dict[str, Any]:
    children = [{"not": row_node(row)} if row.negate else row_node(row) for row in form.rows]
    return {form.match: children}


def parse_form(data: Mapping[str, str]) -> BuilderForm:
    """Rows from the POSTed fields (`row-<n>-field`, `-op`, `-value`, `-value2`, `-within`,
    `-not`); an unknown field or op falls back to the field's first op rather than failing."""
    match = data.get("match", "all")
    form = BuilderForm(match=match if match in MATCHES else "all")
    indices = sorted(int(m.group(1)) for key in data if (m := _ROW_KEY.match(key)))
    for index in indices[:MAX_ROWS]:
        prefix = f"row-{index}-"
        name = data.get(f"{prefix}field", "")
        if field_kind(name) is None:
            name = "orders"
        row = ConditionRow(
            index=index,
            field=name,
            op=data.get(f"{prefix}op", ""),
            value=data.get(f"{prefix}value", "")[:2000],
            value2=data.get(f"{prefix}value2", "")[:100],
            within_days=data.get(f"{prefix}within", DEFAULT_WITHIN_DAYS)[:10],
            negate=data.get(f"{prefix}not") in ("on", "1", "true"),
        )
        if row.op not in OPS_BY_KIND[row.kind]:
            row.op = OPS_BY_KIND[row.kind][0]
        if row.kind == "enum" and row.op in ("eq", "ne") and row.value not in row.choices:
            row.value = row.choices[0] if row.choices else ""
        form.rows.append(row)
    return form


def validate(form: BuilderForm) -> dict[str, Any] | None:
    """The rule when it compiles; otherwise None, with the message on the row (or the form)."""
    for row in form.rows:
        row.error = ""
    form.form_error = ""
    if not form.rows:
        form.form_error = _("Add at least one condition.")
        return None
    rule = form_rule(form)
    try:
        compile_rule(rule)
    except RuleError as exc:
        culprit = _row_for_path(form, exc.path)
        if culprit is None:
            form.form_error = rule_error_text(exc)
        elif exc.code in RULE_ERRORS:
            culprit.error = rule_error_text(exc, culprit)
        else:
            culprit.error = _friendly(exc.message, culprit)
        return None
    return rule


def _row_for_path(form: BuilderForm, path: str) -> ConditionRow | None:
    match = _RULE_PATH.match(path)
    if match is None:
        return None
    position = int(match.group(1))
    return form.rows[position] if position < len(form.rows) else None


# The rule language's error codes in the merchant's words (the engine stays Django-free and
# English; its `params` fill the placeholders, field keys shown as the builder's labels).
RULE_ERRORS: dict[str, str] = {
    "number": _lazy("%(field)s compares with a number, got %(value)s"),
    "minimum": _lazy("%(field)s is never below %(limit)s, got %(value)s"),
    "maximum": _lazy("%(field)s is never above %(limit)s, got %(value)s"),
    "bool": _lazy("%(field)s compares with true or false, got %(value)s"),
    "choice": _lazy("%(field)s has no value %(value)s; choose one of: %(choices)s"),
    "text": _lazy("%(field)s compares with a text; enter one."),
    "list": _lazy("Enter at least one value, separated by commas."),
    "list_size": _lazy("A list has at most %(limit)s values, got %(count)s."),
    "range": _lazy("The low end %(low)s is above the high end %(high)s."),
    "within": _lazy("The number of days must be above 0 and at most %(limit)s."),
}


def rule_error_text(exc: RuleError, row: ConditionRow | None = None) -> str:
    """`exc` in the active language when its code is known, else the rule language's English."""
    template = RULE_ERRORS.get(exc.code)
    if template is None:
        return exc.message
    params = {key: _param_text(value) for key, value in exc.params.items()}
    if row is not None and "field" in params:
        params["field"] = field_label(row.field)
    return str(template) % params


def _param_text(value: object) -> str:
    # Quoted as the rule language quotes them, so a typed word stands out from the sentence.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str | list) else str(value)


def _friendly(message: str, row: ConditionRow) -> str:
    """The rule language names fields by key; the builder shows their labels."""
    if "needs a value" in message or "needs [low, high]" in message:
        return _("Enter a value.") if row.op != "between" else _("Enter both ends of the range.")
    name = row.field
    if name in message and not row.is_event:
        message = message.replace(f"'{name}'", field_label(name)).replace(name, field_label(name))
    return message[:1].upper() + message[1:]


def with_row_added(form: BuilderForm) -> BuilderForm:
    if len(form.rows) >= MAX_ROWS:
        form.form_error = _("A segment has at most %(limit)s conditions.") % {"limit": MAX_ROWS}
        return form
    form.rows.append(ConditionRow(index=form.next_index))
    return form


def with_row_removed(form: BuilderForm, index: int) -> BuilderForm:
    form.rows = [row for row in form.rows if row.index != index]
    return form


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _row_from_node(index: int, node: Any) -> ConditionRow | None:
    negate = False
    if isinstance(node, dict) and set(node) == {"not"}:
        negate, node = True, node["not"]
    if not isinstance(node, dict):
        return None
    if "field" in node and field_kind(str(node["field"])):
        name = str(node["field"])
        within = DEFAULT_WITHIN_DAYS
    elif "event" in node and f"{EVENT_PREFIX}{node['event']}" in _event_fields():
        name = f"{EVENT_PREFIX}{node['event']}"
        within = _value_text(node.get("within_days"))
    else:
        return None
    value = node.get("value", "")
    row = ConditionRow(
        index=index, field=name, op=str(node.get("op", "")), within_days=within, negate=negate
    )
    if row.op == "between" and isinstance(value, list) and len(value) == 2:
        row.value, row.value2 = _value_text(value[0]), _value_text(value[1])
    else:
        row.value = _value_text(value)
    return row


def _event_fields() -> set[str]:
    return {f"{EVENT_PREFIX}{event}" for event in EVENT_TYPES}


def form_from_rule(rule: Mapping[str, Any]) -> BuilderForm | None:
    """The builder's rows for a stored rule; None when the rule is nested deeper than the builder
    draws (it is then shown as text, and still evaluated)."""
    match = next((key for key in MATCHES if key in rule and len(rule) == 1), None)
    children = rule[match] if match else [rule]
    if not isinstance(children, list):
        return None
    rows = []
    for index, child in enumerate(children):
        row = _row_from_node(index, child)
        if row is None:
            return None
        rows.append(row)
    return BuilderForm(match=match or "all", rows=rows)


def describe_rule(rule: Any) -> str:
    """A rule in words: 'Orders is at least 3 and not Lifecycle stage is lapsed'."""
    if not isinstance(rule, dict) or not rule:
        return ""
    if "all" in rule or "any" in rule:
        key = "all" if "all" in rule else "any"
        parts = [describe_rule(child) for child in rule[key] if isinstance(rule[key], list)]
        joined = f" {'and' if key == 'all' else 'or'} ".join(parts)
        return f"({joined})" if len(parts) > 1 and key == "any" else joined
    if "not" in rule:
        return f"not {describe_rule(rule['not'])}"
    row = _row_from_node(0, rule)
    if row is None:
        return str(rule)
    label = field_label(row.field)
    if row.is_event:
        label = f"{EVENT_TYPES.get(row.field[len(EVENT_PREFIX) :], row.field)} in the last {row.within_days} days"
    if row.op == "exists":
        return f"{label} {'is known' if row.value != 'false' else 'is unknown'}"
    if row.op == "between":
        return f"{label} is between {row.value} and {row.value2}"
    return f"{label} {OP_LABELS.get(row.op, row.op)} {row.value}"
