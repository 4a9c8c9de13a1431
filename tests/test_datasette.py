"""datasette on a built knowledge base: generated metadata/config, and a live server queried over HTTP."""
from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb_fixtures import EN_STANDARD, ZH_STANDARD, ZH_STANDARD_2, corpus_docs
from stdkb import datasette_meta, store
from stdkb.cli import cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_kb(tmp: Path) -> Path:
    src = tmp / "in"
    src.mkdir()
    (src / "gas.txt").write_text(ZH_STANDARD, encoding="utf-8")
    (src / "site.txt").write_text(ZH_STANDARD_2, encoding="utf-8")
    (src / "code.txt").write_text(EN_STANDARD, encoding="utf-8")
    dbp = tmp / "kb.db"
    r = store.build(dbp, [src])
    assert r.failed == 0
    db = store.open_db(dbp)
    store.write_documents(db, corpus_docs(n_docs=6))  # hand-made documents with low-confidence rules, GB refs
    db.conn.close()
    return dbp


class Server:
    def __init__(self, dbp: Path, out: Path):
        datasette_meta.write_metadata(dbp, out)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = datasette_meta.datasette_command(dbp, out, port=self.port)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while True:
            try:
                self.get("/-/versions.json")
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("datasette exited: " + self.proc.stderr.read().decode()[-2000:])
                if time.time() > deadline:
                    raise RuntimeError("datasette did not start")
                time.sleep(0.2)

    def get(self, path: str, **params) -> str:
        url = self.base + path
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.read().decode("utf-8")

    def json(self, path: str, **params):
        return json.loads(self.get(path, **params))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ds")
    return build_kb(tmp)


@pytest.fixture(scope="module")
def server(kb, tmp_path_factory):
    s = Server(kb, tmp_path_factory.mktemp("meta"))
    yield s
    s.stop()


def like_count(kb, q):
    import sqlite3

    c = sqlite3.connect(kb)
    return c.execute("SELECT count(*) FROM clauses WHERE text LIKE ?", (f"%{q}%",)).fetchone()[0]


def test_generated_metadata_and_config(kb, tmp_path):
    files = datasette_meta.write_metadata(kb, tmp_path)
    meta = yaml.safe_load(files["metadata"].read_text(encoding="utf-8"))
    db = meta["databases"]["kb"]
    cl = db["tables"]["clauses"]
    assert (cl["fts_table"], cl["fts_pk"], cl["searchmode"]) == ("clauses_fts", "n", "raw")
    assert db["tables"]["documents"]["label_column"] == "title"
    assert db["tables"]["obligations"]["facets"][0] == "modality"
    assert {"unit", "comparator"} <= set(db["tables"]["thresholds"]["facets"])
    assert "kind" in db["tables"]["phrases"]["facets"] and "document" in db["tables"]["phrases"]["facets"]
    assert db["tables"]["thresholds"]["columns"]["si_unit"]
    assert {"prohibitions_of_document", "time_limits_in_hours", "forbidden_phrases", "clauses_referencing",
            "extractions_to_review", "search_clauses"} <= set(db["queries"])
    assert ":doc" in db["queries"]["prohibitions_of_document"]["sql"]
    assert ":target" in db["queries"]["clauses_referencing"]["sql"]
    cfg = yaml.safe_load(files["config"].read_text(encoding="utf-8"))
    ct = cfg["databases"]["kb"]["tables"]
    assert ct["clauses"]["fts_table"] == "clauses_fts" and ct["documents"]["label_column"] == "title"
    assert "description" not in ct["clauses"] and cfg["databases"]["kb"]["queries"]
    # every canned query is valid SQL on the built database (the plugin's functions stubbed)
    import sqlite3

    from stdkb.datasette_plugins import stdkb_search

    c = sqlite3.connect(kb)
    stdkb_search.prepare_connection(c)
    for name, q in db["queries"].items():
        params = {"doc": "燃气", "target": "GB", "q": "投诉"}
        c.execute(q["sql"], params).fetchall()


def test_serve_write_only_cli(kb, tmp_path):
    r = CliRunner().invoke(cli, ["serve", "--db", str(kb), "--write-only", "--out-dir", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "metadata.yaml").exists() and (tmp_path / "o" / "datasette.yaml").exists()
    r = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "none.db"), "--write-only"])
    assert r.exit_code == 2 and "no such knowledge base" in r.stderr


@pytest.mark.parametrize("q", ["诉", "投诉", "严禁", "禁忌用语", "燃气表电池"])
def test_table_search_box_json(server, kb, q):
    d = server.json("/kb/clauses.json", _search=q, _shape="objects", _size="max")
    rows = d["rows"]
    assert rows and all(q in r["text"] for r in rows)
    assert len(rows) == like_count(kb, q)


def test_table_search_html_page(server):
    html = server.get("/kb/clauses", _search="禁忌用语")
    assert "禁忌用语" in html and "Clauses" in html
    assert "Numbered clauses and headings" in html  # table description from metadata


def test_facets(server, kb):
    import sqlite3

    d = server.json("/kb/obligations.json", _facet="modality", _size="0")
    got = {f["value"]: f["count"] for f in d["facet_results"]["modality"]["results"]}
    c = sqlite3.connect(kb)
    assert got == dict(c.execute("SELECT modality, count(*) FROM obligations GROUP BY modality").fetchall())
    d = server.json("/kb/thresholds.json", _size="0")  # metadata facets apply by default
    assert {"unit", "comparator"} <= set(d["facet_results"])


def test_foreign_keys_show_labels(server):
    d = server.json("/kb/obligations.json", _labels="on", _shape="objects", _size="5")
    row = d["rows"][0]
    assert isinstance(row["document"], dict) and row["document"]["label"]
    assert row["document"]["label"] != row["document"]["value"]  # a title, not the id


def test_obligations_show_their_sentences(server, kb):
    # the table keeps spans of the clause text; its HTML page and the obligation_texts view show the words
    import sqlite3

    c = sqlite3.connect(kb)
    sentence, span = c.execute("SELECT text, text_span FROM obligation_texts o JOIN obligations USING "
                               "(document, modality, clause, seq) WHERE typeof(text_span) = 'integer' "
                               "AND modality = 'prohibition' LIMIT 1").fetchone()
    assert sentence and isinstance(span, int)
    html = server.get("/kb/obligations", modality="prohibition", _size="max")
    assert sentence in html
    rows = server.json("/kb/obligation_texts.json", modality="prohibition", _shape="objects", _size="max")["rows"]
    assert sentence in {r["text"] for r in rows} and all(r["document_title"] for r in rows)


def test_canned_queries(server, kb):
    rows = server.json("/kb/prohibitions_of_document.json", doc="安全施工", _shape="objects")["rows"]
    assert rows and {r["document"] for r in rows} == {"安全施工管理规定"}
    assert any("酒后作业" in r["clause_text"] for r in rows)
    rows = server.json("/kb/time_limits_in_hours.json", _shape="objects")["rows"]
    assert rows and all(r["hours"] is not None for r in rows)
    assert [r["hours"] for r in rows] == sorted(r["hours"] for r in rows)
    assert any(r["hours"] == 48 for r in rows) and any(r["hours"] == 4 for r in rows)
    rows = server.json("/kb/forbidden_phrases.json", _shape="objects")["rows"]
    assert "不知道" in {r["phrase"] for r in rows}
    rows = server.json("/kb/clauses_referencing.json", target="50028", _shape="objects")["rows"]
    assert rows and all("50028" in r["target"] or "50028" in r["reference"] for r in rows)
    rows = server.json("/kb/extractions_to_review.json", _shape="objects")["rows"]
    conf = [r["confidence"] for r in rows]
    assert conf and conf == sorted(conf) and conf[0] < 1
    rows = server.json("/kb/search_clauses.json", q="禁忌用语", _shape="objects")["rows"]
    assert len(rows) == like_count(kb, "禁忌用语") and all("<mark>禁忌用语</mark>" in r["snippet"] for r in rows)
    html = server.get("/kb/search_clauses", q="投诉")
    assert "<mark>投诉</mark>" in html  # rendered as highlighting, not escaped
