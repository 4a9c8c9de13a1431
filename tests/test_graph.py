"""The knowledge graph: structure, queries, exports read back with networkx, the CLI."""
from __future__ import annotations

import json
from collections import Counter

import networkx as nx
import pytest
from click.testing import CliRunner

from stdkb.graph import (
    GraphQueryError,
    build_graph,
    clauses_near,
    document_references,
    export_graph,
    graph_summary,
    obligations_of_actor,
    read_graph_json,
    shared_thresholds,
)
from stdkb.model import Clause, Document, Obligation, Phrase, Reference, Threshold


def C(doc, cid, label, text, parent=None, level=1, kind="clause", title=None, **rules):
    path = []
    if parent:
        path = list(doc.clause(parent).path)
    path.append(label)
    c = Clause(id=cid, label=label, path=path, kind=kind, level=level, parent=parent, text=text, title=title,
               **rules)
    doc.clauses.append(c)
    return c


def hours(v, text, comparator="<="):
    return Threshold(value=float(v), unit="小时", comparator=comparator, text=text, quantity="duration",
                     si_value=float(v) * 3600, si_unit="s")


@pytest.fixture()
def docs():
    gas = Document(id="d1", title="燃气客户服务规范(试行)", source="a.txt")
    C(gas, "c1", "5", "5 电话服务", kind="heading", title="电话服务")
    C(gas, "c2", "5.1", "5.1 维修时限", parent="c1", level=2, kind="heading", title="维修时限")
    C(gas, "c3", "5.1.1", "一般故障排除不超过4小时,大故障不超过24小时修复。", parent="c2", level=3,
      thresholds=[hours(4, "不超过4小时"), hours(24, "不超过24小时")],
      obligations=[Obligation(modality="obligation", text="一般故障排除不超过4小时", actor="维修人员")])
    C(gas, "c4", "5.1.2", "客户服务人员不得离开工作台,处理要求见5.1.1。", parent="c2", level=3,
      obligations=[Obligation(modality="prohibition", text="客户服务人员不得离开工作台", actor="客户服务人员",
                              action="离开工作台")],
      references=[Reference(kind="clause", target="5.1.1", text="见5.1.1")])
    C(gas, "c5", "5.2", "5.2 禁忌用语", parent="c1", level=2, kind="heading", title="禁忌用语")
    C(gas, "c6", "5.2.1", "“不知道”、“不管”。", parent="c5", level=3,
      phrases=[Phrase(kind="prohibited", text="不知道"), Phrase(kind="prohibited", text="不管")])
    C(gas, "c7", "6", "客户服务人员应在48小时内答复投诉,服装按《库站标准化视觉形象识别手册》执行。", level=1,
      obligations=[Obligation(modality="obligation", text="客户服务人员应在48小时内答复投诉", actor="客户服务人员")],
      thresholds=[hours(48, "48小时内")],
      references=[Reference(kind="document", target="《库站标准化视觉形象识别手册》", text="按《库站标准化视觉形象识别手册》")])

    hall = Document(id="d2", title="营业厅服务标准", source="b.txt")
    C(hall, "h1", "1", "投诉处理应按《燃气客户服务规范》及GB/T 50028的要求,在24小时内答复。",
      obligations=[Obligation(modality="obligation", text="投诉处理应在24小时内答复", actor="营业员")],
      thresholds=[hours(24, "24小时内")],
      references=[Reference(kind="document", target="《燃气客户服务规范》", text="按《燃气客户服务规范》"),
                  Reference(kind="document", target="GB/T 50028-2006", text="GB/T 50028的要求")])
    C(hall, "h2", "2", "营业员严禁使用“不知道”等禁忌用语。",
      obligations=[Obligation(modality="prohibition", text="营业员严禁使用禁忌用语", actor="营业员")],
      phrases=[Phrase(kind="prohibited", text="不知道")])

    copy = Document(id="d3", title="营业厅服务标准", source="c.txt", duplicate_of="d2")
    C(copy, "k1", "1", "投诉处理应在24小时内答复。", thresholds=[hours(24, "24小时内")])

    en = Document(id="d4", title="GB/T 50028 Code for design of city gas engineering", source="en.txt", lang="en")
    C(en, "e1", "1", "The operator shall restore supply within 12 h.",
      obligations=[Obligation(modality="obligation", text="The operator shall restore supply within 12 h",
                              actor="operator")],
      thresholds=[Threshold(value=12.0, unit="h", comparator="<=", text="within 12 h", quantity="duration",
                            si_value=43200.0, si_unit="s")])
    return [gas, hall, copy, en]


def test_structure(docs):
    G = build_graph(docs)
    s = graph_summary(G)
    assert s["node_types"] == {"actor": 4, "clause": 11, "document": 4, "external_document": 1,
                               "obligation": 6, "phrase": 2, "threshold": 6}
    # contains: one edge per clause (to its parent or its document)
    assert s["edge_types"]["contains"] == 11
    assert s["edge_types"]["states"] == 6 and s["edge_types"]["actor"] == 6
    assert s["edge_types"]["limits"] == 6 and s["edge_types"]["lists"] == 3
    assert s["edge_types"]["duplicate_of"] == 1 and s["edge_types"]["references"] == 4
    assert G.has_edge("doc:d1", "clause:d1:c1") and G.has_edge("clause:d1:c2", "clause:d1:c3")
    assert not G.has_edge("doc:d1", "clause:d1:c3")
    assert G.has_edge("doc:d3", "doc:d2")
    # the shared phrase node links both documents' clauses
    assert set(G.predecessors("phrase:prohibited:不知道")) == {"clause:d1:c6", "clause:d2:h1".replace("h1", "h2")}
    # attributes are scalars, None is never stored
    for _, d in G.nodes(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in d.values()), d
    c3 = G.nodes["clause:d1:c3"]
    assert c3["path"] == "5 / 5.1 / 5.1.1" and c3["level"] == 3 and "parent" not in c3
    t = G.nodes["clause:d1:c3#t0"]
    assert (t["value"], t["unit"], t["comparator"], t["si_value"]) == (4.0, "小时", "<=", 14400.0)
    assert "max" not in t


def test_references_resolve(docs):
    G = build_graph(docs)
    refs = {(r["clause"], r["target"], r["target_type"]) for r in document_references(G, "营业厅服务标准")}
    # title without its "(试行)" suffix finds the gas standard; the GB/T code finds the English standard
    assert refs == {("clause:d2:h1", "doc:d1", "document"), ("clause:d2:h1", "doc:d4", "document")}
    refs = {(r["clause"], r["target"], r["target_type"]) for r in document_references(G, "d1")}
    assert refs == {("clause:d1:c4", "clause:d1:c3", "clause"),
                    ("clause:d1:c7", "ext:库站标准化视觉形象识别手册", "external_document")}
    assert G.nodes["ext:库站标准化视觉形象识别手册"]["label"] == "库站标准化视觉形象识别手册"
    with pytest.raises(GraphQueryError):
        document_references(G, "不存在的标准")


def test_obligations_of_actor(docs):
    G = build_graph(docs)
    rows = obligations_of_actor(G, "客户服务人员")
    assert sorted((r["clause"], r["modality"]) for r in rows) == [
        ("clause:d1:c4", "prohibition"), ("clause:d1:c7", "obligation")]
    assert all(r["document_title"] == "燃气客户服务规范(试行)" for r in rows)
    # substring match when nobody is named exactly so; exact=True refuses it
    assert {r["clause"] for r in obligations_of_actor(G, "营业")} == {"clause:d2:h1", "clause:d2:h2"}
    assert obligations_of_actor(G, "营业", exact=True) == []
    assert obligations_of_actor(G, "operator")[0]["clause"] == "clause:d4:e1"


def test_clauses_near(docs):
    G = build_graph(docs)
    near1 = {r["clause"]: r["distance"] for r in clauses_near(G, "clause:d1:c4", hops=1)}
    # its parent (5.1) and the clause it references (5.1.1)
    assert near1 == {"clause:d1:c2": 1, "clause:d1:c3": 1}
    assert {r["clause"] for r in clauses_near(G, "5.1.2", hops=1)} == set(near1)  # a label only d1 has
    near2 = {r["clause"]: r["distance"] for r in clauses_near(G, "c4", hops=2)}
    assert near2 == {"clause:d1:c2": 1, "clause:d1:c3": 1, "clause:d1:c1": 2}
    # via DOC:LABEL; hops go through the document node to the other top clause
    near3 = {r["clause"]: r["distance"] for r in clauses_near(G, "d1:5.1.2", hops=3)}
    assert near3 == {"clause:d1:c2": 1, "clause:d1:c3": 1, "clause:d1:c1": 2, "clause:d1:c5": 3}
    near4 = {r["clause"]: r["distance"] for r in clauses_near(G, "d1:5.1.2", hops=4)}
    assert near4["clause:d1:c7"] == 4 and near4["clause:d1:c6"] == 4
    # d2's clause 1 cites the gas standard: reached through the document node, over the reference edge
    assert near4["clause:d2:h1"] == 4 and "clause:d2:h2" not in near4
    assert clauses_near(G, "c4", hops=0) == []
    with pytest.raises(GraphQueryError):
        clauses_near(G, "1", hops=1)  # label "1" exists in three documents: ambiguous


def test_shared_thresholds(docs):
    G = build_graph(docs)
    groups = shared_thresholds(G)
    assert len(groups) == 1
    g = groups[0]
    assert (g["quantity"], g["unit"]) == ("duration", "s")
    # the duplicate (d3) is left out; the English standard is in, in hours normalised to seconds
    assert g["documents"] == ["doc:d1", "doc:d2", "doc:d4"]
    assert sorted(r["si_value"] for r in g["thresholds"]) == [14400.0, 43200.0, 86400.0, 86400.0, 172800.0]
    assert shared_thresholds(G, min_documents=4) == []


def _check_roundtrip(G, H):
    assert H.number_of_nodes() == G.number_of_nodes()
    assert H.number_of_edges() == G.number_of_edges()
    assert Counter(d["type"] for _, d in H.nodes(data=True)) == Counter(d["type"] for _, d in G.nodes(data=True))
    assert Counter(d["rel"] for *_, d in H.edges(data=True)) == Counter(d["rel"] for *_, d in G.edges(data=True))


def test_export_graphml_gexf_json(docs, tmp_path):
    G = build_graph(docs)
    export_graph(G, tmp_path / "g.graphml")
    H = nx.read_graphml(tmp_path / "g.graphml")
    _check_roundtrip(G, H)
    t = H.nodes["clause:d1:c3#t0"]
    assert t["value"] == 4.0 and t["unit"] == "小时" and t["comparator"] == "<="
    assert H.nodes["clause:d1:c4"]["text"].startswith("客户服务人员不得离开工作台")

    export_graph(G, tmp_path / "g.gexf")
    H = nx.read_gexf(tmp_path / "g.gexf")
    _check_roundtrip(G, H)
    assert H.nodes["doc:d1"]["label"] == "燃气客户服务规范(试行)"
    assert H.nodes["clause:d1:c3#o0"]["modality"] == "obligation"
    assert H.nodes["clause:d1:c3#t0"]["si_value"] == 14400.0
    assert H.is_directed()

    export_graph(G, tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    H = nx.node_link_graph(data, edges="edges")
    _check_roundtrip(G, H)
    assert H.nodes["actor:客户服务人员"]["type"] == "actor"
    assert read_graph_json(tmp_path / "g.json").number_of_nodes() == G.number_of_nodes()

    with pytest.raises(ValueError):
        export_graph(G, tmp_path / "g.txt")


def test_empty_graph_exports(tmp_path):
    G = build_graph([])
    assert graph_summary(G) == {"nodes": 0, "edges": 0, "node_types": {}, "edge_types": {}}
    for fmt in ("graphml", "gexf", "json"):
        export_graph(G, tmp_path / f"e.{fmt}", fmt)


# --------------------------------------------------------------------------------------------- database + CLI

@pytest.fixture()
def db_path(docs, tmp_path):
    from stdkb import store

    p = tmp_path / "kb.db"
    db = store.open_db(p, create=True)
    store.write_documents(db, docs)
    return p


def test_graph_from_db_equals_graph_of_documents(docs, db_path):
    from stdkb.graph import graph_from_db

    G, H = build_graph(docs), graph_from_db(db_path)
    assert graph_summary(H) == graph_summary(G)
    assert set(H.nodes) == set(G.nodes) and H.nodes["clause:d1:c3#t0"] == G.nodes["clause:d1:c3#t0"]
    assert graph_summary(graph_from_db(db_path, doc="d2"))["node_types"]["document"] == 1


def run(*args):
    from stdkb.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_summary_and_exports(db_path, tmp_path):
    r = run("graph", "--db", str(db_path))
    assert r.exit_code == 0, r.output
    assert "34 nodes, 37 edges" in r.output and "clause\t11" in r.output and "references\t4" in r.output
    r = run("graph", "--db", str(db_path), "--json")
    assert json.loads(r.output)["node_types"]["phrase"] == 2
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf), ("json", read_graph_json)):
        out = tmp_path / f"kb.{fmt}"
        r = run("graph", "--db", str(db_path), "--format", fmt, "-o", str(out))
        assert r.exit_code == 0, r.output
        H = reader(out)
        assert H.number_of_nodes() == 34 and H.number_of_edges() == 37 and H.nodes["actor:营业员"]["type"] == "actor"
    r = run("graph", "--db", str(db_path), "--format", "json")  # to stdout
    assert nx.node_link_graph(json.loads(r.output), edges="edges").number_of_edges() == 37
    r = run("graph", "--db", str(db_path), "--format", "graphml")
    assert r.output.startswith("<?xml") and "燃气客户服务规范(试行)" in r.output


def test_cli_queries(db_path):
    r = run("graph", "--db", str(db_path), "--actor", "客户服务人员")
    assert r.exit_code == 0 and r.output.count("\n") == 4  # title, header, 2 rows
    assert "prohibition" in r.output and "不得离开工作台" in r.output
    r = run("graph", "--db", str(db_path), "--references", "营业厅服务标准", "--json")
    assert {x["target"] for x in json.loads(r.output)} == {"doc:d1", "doc:d4"}
    r = run("graph", "--db", str(db_path), "--near", "c4", "--hops", "1", "--json")
    assert {x["clause"] for x in json.loads(r.output)} == {"clause:d1:c2", "clause:d1:c3"}
    r = run("graph", "--db", str(db_path), "--shared-thresholds", "--json")
    assert json.loads(r.output)[0]["documents"] == ["doc:d1", "doc:d2", "doc:d4"]
    r = run("graph", "--db", str(db_path), "--near", "no-such-clause")
    assert r.exit_code == 2 and "unknown clause" in r.output
    r = run("graph", "--db", str(db_path.parent / "missing.db"))
    assert r.exit_code == 2 and "missing.db" in r.output


def test_control_characters_and_prefixed_ids_export(tmp_path):
    # ids as the segmenter makes them ("<doc>:<path>"), a form feed from a PDF page break in the text
    d = Document(id="x", title="供水服务规范", source="x.pdf")
    d.clauses = [Clause(id="x:1", label="1", path=["1"], kind="clause", level=1, parent=None,
                        text="抢修人员应在30分钟内到达现场。\x0c第2页", references=[]),
                 Clause(id="x:1/1.1", label="1.1", path=["1", "1.1"], kind="clause", level=2, parent="x:1",
                        text="按第1条执行。", references=[Reference(kind="clause", target="1", text="第1条",
                                                                         resolved="x:1")])]
    G = build_graph([d])
    assert set(G.nodes) == {"doc:x", "clause:x:1", "clause:x:1/1.1"}
    assert G.has_edge("clause:x:1/1.1", "clause:x:1") and G.has_edge("clause:x:1", "clause:x:1/1.1")
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        export_graph(G, tmp_path / f"x.{fmt}")
        H = reader(tmp_path / f"x.{fmt}")
        assert H.nodes["clause:x:1"]["text"] == "抢修人员应在30分钟内到达现场。 第2页"
        assert H.number_of_edges() == 3


# --------------------------------------------------------------------------------------------- real pipeline

WATER = """城市供水客户服务规范

1 总则
1.1 本规范适用于公司所属各营业网点。
1.2 营业员应遵守《燃气客户服务规范》的有关规定。
2 服务时限
2.1 抢修人员接到报修后应在30分钟内到达现场。
2.2 一般故障修复时间不超过4小时。
2.3 营业员办理过户业务不得超过1个工作日。
3 服务用语
3.1 禁忌用语
3.1.1 “不归我管”。
3.1.2 “自己看说明”。
3.2 营业员严禁与客户争吵。
4 其他
4.1 按本规范2.1条执行时,应记录到达时间。
"""

GAS = """燃气客户服务规范

1 服务承诺
1.1 客户服务人员接到投诉后应在24小时内答复。
1.2 维修人员应在2小时内到达现场。
2 禁忌用语
2.1 “不知道”、“不归我管”。
"""

EN = """Water Service Code of Practice

1 General
1.1 Operators shall restore supply within 4 hours.
1.2 Staff must not argue with customers.
"""


@pytest.fixture()
def real_docs():
    try:
        import stdkb.documents  # noqa: F401
        import stdkb.segment  # noqa: F401
    except ImportError as e:
        pytest.skip(f"segmenter not available yet ({e})")
    from stdkb import process_text

    return process_text(WATER, "water.txt") + process_text(GAS, "gas.txt") + process_text(EN, "en.txt")


def _by_label(G, title):
    dn = [n for n, d in G.nodes(data=True) if d.get("type") == "document" and d["title"] == title]
    assert len(dn) == 1, title
    doc_id = G.nodes[dn[0]]["doc_id"]
    return {d["clause_label"]: n for n, d in G.nodes(data=True) if d.get("type") == "clause" and d["doc_id"] == doc_id}


def test_real_pipeline_graph(real_docs, tmp_path):
    G = build_graph(real_docs)
    s = graph_summary(G)
    assert s["node_types"]["document"] == 3 and s["node_types"]["clause"] == 14 + 5 + 3
    water, gas, en = _by_label(G, "城市供水客户服务规范"), _by_label(G, "燃气客户服务规范"), \
        _by_label(G, "Water Service Code of Practice")
    # hierarchy
    assert G.has_edge(water["3.1"], water["3.1.1"]) and G.has_edge(water["3"], water["3.1"])
    # actors: every obligation naming 营业员 in the water standard
    rows = obligations_of_actor(G, "营业员", exact=True)
    assert {(r["clause_label"], r["modality"]) for r in rows} == {("1.2", "obligation"), ("2.3", "prohibition"),
                                                                  ("3.2", "prohibition")}
    assert {r["clause_label"] for r in obligations_of_actor(G, "Staff")} == {"1.2"}
    # one phrase node shared by both Chinese standards' forbidden lists
    assert set(G.predecessors("phrase:prohibited:不归我管")) == {water["3.1.1"], gas["2.1"]}
    # shared thresholds: time limits in all three standards
    groups = shared_thresholds(G, by="unit")
    assert [(g["unit"], len(g["documents"])) for g in groups] == [("s", 3)]
    assert 14400.0 in {t["si_value"] for t in groups[0]["thresholds"] if t["document_title"].startswith("Water")}
    from stdkb.extract import find_references

    if find_references is None:
        pytest.skip("reference extraction not available yet")
    refs = {(r["clause_label"], r["target"]) for r in document_references(G, "城市供水客户服务规范")}
    assert refs == {("1.2", _doc(G, "燃气客户服务规范")), ("4.1", water["2.1"])}
    near = {r["clause"]: r["distance"] for r in clauses_near(G, water["4.1"], hops=1)}
    assert near == {water["4"]: 1, water["2.1"]: 1}


def _doc(G, title):
    return next(n for n, d in G.nodes(data=True) if d.get("type") == "document" and d["title"] == title)


def test_real_pipeline_database_and_cli(real_docs, tmp_path):
    from stdkb import store
    from stdkb.graph import graph_from_db

    p = tmp_path / "kb.db"
    store.write_documents(store.open_db(p, create=True), real_docs)
    G = graph_from_db(p)
    assert graph_summary(G) == graph_summary(build_graph(real_docs))
    r = run("graph", "--db", str(p), "--actor", "营业员", "--json")
    assert r.exit_code == 0 and len(json.loads(r.output)) == 3
    r = run("graph", "--db", str(p), "--shared-thresholds", "--by", "unit")
    assert r.exit_code == 0 and "Water Service Code" in r.output and "城市供水客户服务规范" in r.output
    out = tmp_path / "kb.gexf"
    assert run("graph", "--db", str(p), "-o", str(out)).exit_code == 0
    H = nx.read_gexf(out)
    assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == G.number_of_edges()


def test_reference_to_own_title_and_to_a_duplicated_document():
    a = Document(id="a", title="营业厅服务规范", source="a.txt")
    a.clauses = [Clause(id="a1", label="1", path=["1"], kind="clause", level=1, parent=None,
                        text="本规范解释权归公司,见《营业厅服务规范》。",
                        references=[Reference(kind="document", target="《营业厅服务规范》", text="见《营业厅服务规范》")])]
    b = Document(id="b", title="投诉处理办法", source="b.txt")
    b.clauses = [Clause(id="b1", label="1", path=["1"], kind="clause", level=1, parent=None, text="按营业厅服务规范执行。",
                        references=[Reference(kind="document", target="营业厅服务规范", text="按营业厅服务规范")])]
    a_copy = Document(id="a2", title="营业厅服务规范", source="c.txt", duplicate_of="a", index=0)
    G = build_graph([a_copy, b, a])
    assert list(G.successors("clause:a:a1")) == ["doc:a"]  # its own document, no external node
    assert list(G.successors("clause:b:b1")) == ["doc:a"]  # the original, not the duplicate listed first
    assert graph_summary(G)["node_types"].get("external_document") is None
