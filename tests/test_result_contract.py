"""The result contract (engine/core/trace/result.py): the plain dicts the evaluator and the batch
runner build on the hot path conform to the pydantic models and to the JSON Schema generated from
them, for every built-in case at every detail level and for batch records, error records included;
and the contract rejects what it does not declare, so these checks can fail."""

from __future__ import annotations

import copy
import json
import re
import typing
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from exportsim.cli.common import builtin_case_paths
from exportsim.cli.main import cli
from exportsim.engine.batch.runner import BatchConfig, Item, Worker, _crash_records, read_items, run_batch
from exportsim.engine.core.evaluate import load_transaction
from exportsim.engine.core.executors.durable import EngineFailure
from exportsim.engine.core.trace import result as contract
from pydantic import BaseModel, ValidationError

ROOT = Path(__file__).resolve().parent.parent
CASES = builtin_case_paths()
SCHEMAS = {kind: contract.json_schema(kind) for kind in contract.KINDS}
# Built once: jsonschema.validate() checks the schema itself on every call, which is slow.
VALIDATORS = {
    kind: jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for kind, schema in SCHEMAS.items()
}


def conforms(kind: str, value: dict) -> None:
    """Valid against the generated schema and as the models, from the JSON text a reader gets."""
    text = json.dumps(value)
    VALIDATORS[kind].validate(json.loads(text))
    contract.adapter(kind).validate_json(text)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_case_at_every_detail_level_conforms(path, durable):
    txn = load_transaction(path)
    full = durable.evaluate(txn, file=str(path), explain_misses=True)
    conforms("full", full)
    assert isinstance(contract.FullResult.model_validate_json(json.dumps(full)).why_not, list)
    for detail, model in (("summary", contract.SummaryResult), ("none", contract.NoneResult)):
        light = durable.evaluate(txn, detail=detail)
        conforms("light", light)
        assert type(contract.adapter("light").validate_python(light)) is model
        # One shape for `regimes` at every detail level.
        assert light["regimes"] == full["regimes"]


def _records(lines: list[str]) -> list[dict]:
    return [json.loads(x) for x in lines]


@pytest.fixture(scope="module")
def population(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pop") / "pop.jsonl"
    assert CliRunner().invoke(cli, ["generate", "--n", "150", "--seed", "3", "-o", str(path)]).exit_code == 0
    good = path.read_text().splitlines()
    bad = ["{oops", '{"id": "x", "kind": "export"}']  # not JSON; a transaction that does not validate
    path.write_text("\n".join([*good[:50], *bad, *good[50:]]) + "\n")
    return path


@pytest.mark.parametrize("detail", ["full", "summary", "none"])
def test_batch_records_conform_with_error_records(population, detail):
    lines: list[str] = []
    run_batch(read_items(str(population)), BatchConfig(engine="python", detail=detail), lines.append)
    records = _records(lines)
    assert len(records) == 152
    errors = [r for r in records if "error" in r]
    assert [r["line"] for r in errors] == [51, 52]
    for record in records:
        conforms("batch-record", record)
        model = contract.validate_record(record)
        expected = {"full": contract.FullRecord, "summary": contract.SummaryRecord, "none": contract.NoneRecord}
        assert type(model) is (contract.ErrorRecord if "error" in record else expected[detail])


def test_batch_records_of_the_case_folder_conform():
    lines: list[str] = []
    run_batch(read_items(str(ROOT / "cases")), BatchConfig(engine="python"), lines.append)
    assert len(lines) == len(CASES)
    for record in _records(lines):
        conforms("batch-record", record)


def test_engine_failure_and_crash_records_conform(population, monkeypatch):
    worker = Worker(BatchConfig(engine="python"))

    def fail(*args, **kwargs):
        raise EngineFailure("session lost")

    monkeypatch.setattr(worker.evaluator, "evaluate", fail)
    item = next(iter(read_items(str(population))))
    failed = worker.record(item)
    assert failed["id"] and "session lost" in failed["error"]["message"]
    crashed = _records(_crash_records([Item("pop.jsonl", 7, "{}"), Item("pop.jsonl", 8, "{}")])[0])
    for record in [failed, *crashed]:
        conforms("batch-record", record)
        assert isinstance(contract.validate_record(record), contract.ErrorRecord)


def test_an_output_in_the_old_record_format_is_not_resumed_into(population, tmp_path):
    out = tmp_path / "out.jsonl"
    assert CliRunner().invoke(cli, ["evaluate-batch", str(population), "-o", str(out)]).exit_code == 1
    meta = out.with_name(out.name + ".batch.json")
    old = json.loads(meta.read_text()) | {"schema_version": contract.SCHEMA_VERSION - 1}
    meta.write_text(json.dumps(old))
    before = out.read_text()
    res = CliRunner().invoke(cli, ["evaluate-batch", str(population), "-o", str(out)])
    assert res.exit_code == 2 and "result version" in res.output
    assert out.read_text() == before


# -- the contract rejects what it does not declare -----------------------------------------------


@pytest.fixture(scope="module")
def full_result(durable) -> dict:
    case = next(p for p in CASES if load_transaction(p).expected.outcome != "no_license_required")
    result = json.loads(json.dumps(durable.evaluate(load_transaction(case), explain_misses=True)))
    assert result["findings"] and result["trace"], "pick a case with findings to mutate"
    return result


def _rejected(kind: str, value: dict) -> None:
    with pytest.raises(jsonschema.ValidationError):
        VALIDATORS[kind].validate(value)
    with pytest.raises(ValidationError):
        contract.adapter(kind).validate_json(json.dumps(value))


@pytest.mark.parametrize(
    "path",
    [
        (),
        ("transaction",),
        ("findings", 0),
        ("findings", 0, "citation"),
        ("findings", 0, "triggering_facts", 0),
        ("trace", 0),
        ("trace", 0, "effective"),
        ("regimes", "ofac_sdn"),
        ("why_not", 0),
        ("rules",),
    ],
)
def test_unknown_fields_are_rejected_at_every_level(full_result, path):
    bad = copy.deepcopy(full_result)
    target = bad
    for key in path:
        target = target[key]
    target["surprise"] = 1
    _rejected("full", bad)


def test_wrong_shapes_and_values_are_rejected(full_result, durable):
    as_list = copy.deepcopy(full_result)
    as_list["regimes"] = [{"regime": r, **v} for r, v in as_list["regimes"].items()]  # the old shape
    _rejected("full", as_list)
    unknown_outcome = copy.deepcopy(full_result)
    unknown_outcome["findings"][0]["outcome"] = "cleared"
    _rejected("full", unknown_outcome)
    not_a_date = copy.deepcopy(full_result)
    not_a_date["as_of"] = "1st of May"
    _rejected("full", not_a_date)
    light = json.loads(json.dumps(durable.evaluate(load_transaction(CASES[0]), detail="none")))
    light["fired"] = []  # a summary field in a none result
    _rejected("light", light)
    _rejected("batch-record", {"line": 3, "source": "x.jsonl", "outcome": "no_license_required"})


def test_schema_version_is_the_one_the_models_accept(full_result):
    assert full_result["schema_version"] == contract.SCHEMA_VERSION
    for model in (contract.FullResult, contract.SummaryResult, contract.NoneResult):
        assert typing.get_args(model.model_fields["schema_version"].annotation) == (contract.SCHEMA_VERSION,)
    _rejected("full", full_result | {"schema_version": contract.SCHEMA_VERSION - 1})


def test_every_object_with_declared_fields_forbids_others_in_the_schema():
    def objects(node):
        if isinstance(node, dict):
            if "properties" in node:
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    for kind, schema in SCHEMAS.items():
        found = list(objects(schema))
        assert len(found) >= 5, kind
        assert all(o.get("additionalProperties") is False for o in found), kind


def test_schema_command_prints_the_generated_schema_of_each_kind():
    for kind in contract.KINDS:
        out = CliRunner().invoke(cli, ["schema", "result", "--kind", kind])
        assert out.exit_code == 0, out.output
        assert json.loads(out.output) == SCHEMAS[kind]
        jsonschema.Draft202012Validator.check_schema(SCHEMAS[kind])
    assert json.loads(CliRunner().invoke(cli, ["schema", "result"]).output) == SCHEMAS["full"]


# -- docs/output.md documents every field --------------------------------------------------------


def _models() -> list[type[BaseModel]]:
    """Every result model with fields, but for the batch records that only join a head and a result."""
    out = []
    for m in vars(contract).values():
        if not (isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == contract.__name__):
            continue
        bases = [b for b in m.__bases__ if issubclass(b, BaseModel)]
        joins_only = len(bases) > 1 and set(m.model_fields) == {f for b in bases for f in b.model_fields}
        if m.model_fields and not joins_only:
            out.append(m)
    return out


def test_every_model_field_is_described_and_documented():
    doc = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^#{2,3} |\Z)", doc, flags=re.M | re.S))
    missing = []
    assert len(_models()) >= 20
    for model in _models():
        section = sections.get(model.__name__)
        if section is None:
            # A base that is never written by itself (RuleRef, LightResultBase) is documented
            # through the models built on it, which the loop checks field by field.
            if not any(m is not model and issubclass(m, model) for m in _models()):
                missing.append(f"### `{model.__name__}`")
            continue
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            if f"| `{field.alias or name}` |" not in section:
                missing.append(f"{model.__name__}.{field.alias or name}")
    assert not missing, f"docs/output.md lacks: {', '.join(missing)}"


def test_field_tables_of_docs_output_are_generated_from_the_models():
    from exportsim.engine.core.trace.outputdoc import field_tables

    doc = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    assert field_tables() in doc, "regenerate: .venv/bin/python -m exportsim.engine.core.trace.outputdoc docs/output.md"
