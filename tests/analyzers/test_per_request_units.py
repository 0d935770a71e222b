"""`Report.units` lists the per-request section's fields (their pydantic descriptions), so a JSON
report's reader finds the unit and formula of every per-request number."""

from __future__ import annotations

import json
import typing

from speclens.analyzers.acceptance import per_request_models as prm
from speclens.analyzers.acceptance.models import units
from tests.analyzers.test_per_request_wiring import C4
from tests.test_cli import run


def _numeric(annotation: object) -> bool:
    args = typing.get_args(annotation)
    return annotation in (int, float) or any(_numeric(a) for a in args)


def test_every_numeric_per_request_field_has_a_unit() -> None:
    u = units()
    for prefix, model in prm.UNIT_OBJECTS:
        for name, field in model.model_fields.items():
            if _numeric(field.annotation):
                assert u.get(f"{prefix}.{name}") == field.description and field.description, (prefix, name)


def test_the_units_say_what_each_weighting_is() -> None:
    u = units()
    assert u["per_request.summary.mean_acceptance_length_step_weighted"].startswith(
        "tokens per step: 1 + Σ accepted / Σ steps over requests")
    assert u["per_request.summary.acceptance_rate_request_weighted"].startswith("fraction 0..1: mean over requests")
    assert u["per_request.histogram.probability"] == "fraction 0..1 per j: P(j accepted) = H_j / Σ H"
    assert u["per_request.{by_prompt_length,by_output_length,by_output_position}.bins[].mean_acceptance_length"] == (
        "tokens per step: 1 + Σ accepted / Σ steps of the bin (step-weighted)")
    assert u["per_request.{lowest,highest}[].prompt_tokens"].startswith("count of the request's prompt tokens")
    assert u["per_request.counter_check.steps_diff"] == "count: Σ steps (requests) − drafts (counters)"


def test_a_json_report_carries_them() -> None:
    proc = run("acceptance", str(C4), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)["units"]
    assert got["per_request.summary.acceptance_rate_pooled"] == (
        "fraction 0..1: Σ accepted / Σ draft tokens over requests (pooled; every draft token counts once)")
