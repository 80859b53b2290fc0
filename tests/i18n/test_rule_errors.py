"""Segment rule-builder errors come from the Django-free rule language in English; the builder
shows them in the merchant's language through the errors' codes."""

from __future__ import annotations

import pytest
from django.utils import translation

from personalization.engine.segment_rules import RuleError, compile_rule
from shopapp.adminui.rule_builder import BuilderForm, ConditionRow, rule_error_text, validate


def _form(**row: str) -> BuilderForm:
    return BuilderForm(match="all", rows=[ConditionRow(index=0, **row)])


@pytest.mark.parametrize(
    ("row", "french"),
    [
        ({"field": "orders", "op": "gte", "value": "lots"}, "se compare à un nombre, pas à 'lots'"),
        (
            {"field": "orders", "op": "gte", "value": "-3"},
            "n\u2019est jamais inférieur à 0, pas -3",
        ),
        ({"field": "orders", "op": "between", "value": "9", "value2": "2"}, "La borne basse 9"),
    ],
)
def test_row_errors_are_shown_in_french(row: dict[str, str], french: str) -> None:
    # given a builder row the rule language refuses
    form = _form(**row)
    # when it is validated for a merchant whose admin is in French
    with translation.override("fr"):
        assert validate(form) is None
    # then the row's message is French, names the field by its French label, and has no English
    error = form.rows[0].error
    assert french in error
    if row["value"] != "9":
        assert error.startswith("Commandes")
    assert "got" not in error
    assert "compares" not in error


def test_too_many_rows_is_translated() -> None:
    from shopapp.adminui.rule_builder import MAX_ROWS, with_row_added

    form = BuilderForm(rows=[ConditionRow(index=i) for i in range(MAX_ROWS)])
    with translation.override("nl"):
        with_row_added(form)
    assert form.form_error == f"Een segment heeft hoogstens {MAX_ROWS} voorwaarden."


def test_the_engine_message_stays_english_and_uncoded_errors_fall_back() -> None:
    # given the rule language's own error (the API and logs read it in English)
    with pytest.raises(RuleError) as caught:
        compile_rule({"all": [{"field": "orders", "op": "gte", "value": "x"}]})
    assert caught.value.message == "orders compares with a number, got 'x'"
    assert caught.value.code == "number"
    # and an error without a code is shown as the engine wrote it
    with translation.override("fr"):
        assert rule_error_text(RuleError("$", "expected one of all, any")) == (
            "expected one of all, any"
        )
