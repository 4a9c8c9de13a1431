"""`stdkb extract`: the JSON interface, validated against schema/extract.schema.json."""
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from stdkb.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schema" / "extract.schema.json").read_text(encoding="utf-8"))


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def corpus_json():
    r = run("extract", str(ROOT / "corpus"))
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_output_validates_against_the_schema(corpus_json):
    jsonschema.Draft202012Validator(SCHEMA).validate(corpus_json)
    ids = [c["id"] for d in corpus_json["documents"] for c in d["clauses"]]
    assert len(ids) == len(set(ids))


def test_parent_and_path_are_consistent(corpus_json):
    for d in corpus_json["documents"]:
        by_id = {c["id"]: c for c in d["clauses"]}
        for c in d["clauses"]:
            if c["parent"]:
                assert by_id[c["parent"]]["path"] == c["path"][:-1]
            if c["label"] is not None:
                assert c["path"][-1] == c["label"]


def test_labels_are_normalised(corpus_json):
    labels = {c["label"] for d in corpus_json["documents"] for c in d["clauses"]}
    assert {"2.2.3", "1", "一", "(一)", "第一章", "A", "附录"} <= labels
    for lab in labels - {None}:
        assert not lab.endswith(("、", ".", ":")), lab
        assert "（" not in lab and "）" not in lab


def test_jsonl_streams_one_document_per_line(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("客服规范\n\n1 总则\n本规范适用于客服中心。\n2 要求\n2.1 电话振铃3声内接听。\n", encoding="utf-8")
    r = run("extract", str(f), str(ROOT / "corpus"), "--format", "jsonl")
    lines = r.output.strip().splitlines()
    assert len(lines) == 20
    first = json.loads(lines[0])
    assert first["title"] == "客服规范" and [c["label"] for c in first["clauses"]] == ["1", "2", "2.1"]
    for line in lines:
        jsonschema.validate({"documents": [json.loads(line)]}, SCHEMA)


def test_bad_files_are_reported_and_the_batch_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("1 总则\n本规范适用于客服中心。\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 40)
    r = CliRunner().invoke(cli, ["extract", str(empty), str(junk), str(tmp_path / "missing.txt"), str(good)])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert [d["title"] for d in out["documents"]] == ["good"]
    errors = [l for l in r.stderr.splitlines() if l.startswith("stdkb: error:")]
    assert len(errors) == 3
    assert any("empty.txt" in e and "empty" in e for e in errors)
    assert any("junk.txt" in e and "binary" in e for e in errors)
    assert any("missing.txt" in e and "no such file" in e for e in errors)


def test_help_is_fast_to_import():
    # --help must not import the heavy libraries (start-up time); measured in bench/, asserted here by module
    code = ("import sys; from stdkb.cli import cli; "
            "import click.testing as t; t.CliRunner().invoke(cli, ['--help']); "
            "heavy = [m for m in ('spacy', 'datasette', 'networkx', 'pdfplumber', 'docx', 'openpyxl', 'jieba', 'sqlite_utils') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
