"""``stdkb graph`` (knowledge graph: summary, queries, export) and ``stdkb diff`` (two versions of a standard)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import fail, warn

DEFAULT_DB = "stdkb.db"


def _echo_json(obj):
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _report(result, as_json: bool, empty: str, title: str, header: list, cells):
    """One query's answer: ``result`` as JSON, ``empty`` as a warning when there is nothing, else a table of
    ``cells()`` under ``header``."""
    if as_json:
        _echo_json(result)
    elif not result:
        warn(empty)
    else:
        _table(title, header, cells())


def _table(title, columns, rows):
    """A rich table on a terminal; tab-separated plain text otherwise (pipes, tests)."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        t = Table(title=title, show_lines=False)
        for c in columns:
            t.add_column(c)
        for r in rows:
            t.add_row(*("" if x is None else str(x) for x in r))
        Console().print(t)
    else:
        click.echo(f"# {title}")
        click.echo("\t".join(columns))
        for r in rows:
            click.echo("\t".join("" if x is None else " ".join(str(x).split()) for x in r))


def _short(s, n=60):
    s = " ".join((s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


@click.command("graph")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Knowledge base built by `stdkb build`.")
@click.option("--doc", "doc", default=None, help="Only this document (id or title).")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json"]), default=None,
              help="Export the graph in this format (to -o FILE, or stdout).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Export file; the format defaults from its suffix (.graphml .gexf .json).")
@click.option("--actor", default=None, help="Query: obligations naming this actor (e.g. 客户服务人员).")
@click.option("--references", "references", default=None, metavar="DOC",
              help="Query: everything this document (id or title) references.")
@click.option("--near", default=None, metavar="CLAUSE_ID", help="Query: clauses within --hops of this clause.")
@click.option("--hops", default=1, show_default=True, type=click.IntRange(min=0), help="Hops for --near.")
@click.option("--shared-thresholds", is_flag=True,
              help="Query: documents with thresholds on the same quantity and unit.")
@click.option("--by", "by", type=click.Choice(["quantity", "unit"]), default="quantity", show_default=True,
              help="--shared-thresholds: group on quantity and unit, or on the unit alone.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary or query result as JSON.")
def graph(db_path, doc, fmt, output, actor, references, near, hops, shared_thresholds, by, as_json):
    """Build the knowledge graph of a database; print a summary, run queries, or export it.

    \b
    Nodes: document, clause, obligation, threshold, phrase, actor, external_document.
    Edges (attribute "rel"): contains, states, limits, lists, references, duplicate_of, actor.

    \b
    Examples:
      stdkb graph --db stdkb.db                          # node and edge counts by type
      stdkb graph --db stdkb.db -o kb.graphml            # export (also .gexf, .json node-link)
      stdkb graph --db stdkb.db --format json > kb.json
      stdkb graph --db stdkb.db --actor 客户服务人员
      stdkb graph --db stdkb.db --references "客户服务标准"
      stdkb graph --db stdkb.db --near CLAUSE_ID --hops 2
      stdkb graph --db stdkb.db --shared-thresholds --json
      stdkb graph --db stdkb.db --shared-thresholds --by unit
    """
    from .. import graph as g
    from ..errors import StdkbError

    try:
        G = g.graph_from_db(db_path, doc=doc)
    except StdkbError as e:
        fail(str(e))

    queried = False
    try:
        if output or fmt:
            if output:
                try:
                    used = g.export_graph(G, output, fmt)
                except ValueError as e:
                    fail(str(e))
                except OSError as e:
                    fail(f"{output}: cannot write: {e.strerror or e}")
                click.echo(f"wrote {G.number_of_nodes()} nodes and {G.number_of_edges()} edges to {output} ({used})",
                           err=True)
            else:
                _export_stdout(G, fmt)
                return
            queried = True
        if actor is not None:
            queried = True
            rows = g.obligations_of_actor(G, actor)
            _report(rows, as_json, f"no obligation names the actor {actor!r}",
                    f"Obligations of {actor} ({len(rows)})", ["document", "clause", "modality", "actor", "text"],
                    lambda: [(_short(r.get("document_title"), 24), r.get("clause_label"), r.get("modality"),
                              r.get("actor"), _short(r.get("text"), 70)) for r in rows])
        if references is not None:
            queried = True
            rows = g.document_references(G, references)
            _report(rows, as_json, f"{references!r} references nothing",
                    f"References of {references} ({len(rows)})", ["clause", "kind", "target type", "target"],
                    lambda: [(r["clause_label"] or r["clause"], r.get("kind"), r["target_type"],
                              _short(r["target_label"], 60)) for r in rows])
        if near is not None:
            queried = True
            rows = g.clauses_near(G, near, hops)
            _report(rows, as_json, f"no clause within {hops} hop(s) of {near!r}",
                    f"Clauses within {hops} hop(s) of {near} ({len(rows)})", ["hops", "clause", "document", "text"],
                    lambda: [(r["distance"], r["clause_label"] or r["clause"], r["doc_id"], _short(r["text"], 70))
                             for r in rows])
        if shared_thresholds:
            queried = True
            groups = g.shared_thresholds(G, by=by)
            _report(groups, as_json, "no two documents have thresholds on the same quantity and unit",
                    f"Thresholds shared by documents ({len(groups)} groups)",
                    ["quantity", "unit", "document", "clause", "cmp", "value", "as written", "text"],
                    lambda: [(t.get("quantity") or "-", grp["unit"], _short(t["document_title"], 24),
                              t["clause_label"], t["comparator"], t["value"], t["unit"], _short(t["text"], 30))
                             for grp in groups for t in grp["thresholds"]])
    except g.GraphQueryError as e:
        fail(str(e))

    if not queried:
        s = g.graph_summary(G)
        if as_json:
            _echo_json(s)
            return
        click.echo(f"{s['nodes']} nodes, {s['edges']} edges  ({db_path})")
        _table("Nodes by type", ["type", "count"], list(s["node_types"].items()))
        _table("Edges by relation", ["rel", "count"], list(s["edge_types"].items()))


def _export_stdout(G, fmt):
    import io

    import networkx as nx

    if fmt == "json":
        click.echo(json.dumps(nx.node_link_data(G, edges="edges"), ensure_ascii=False))
        return
    buf = io.BytesIO()
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(G, buf, encoding="utf-8")
    click.echo(buf.getvalue().decode("utf-8"), nl=False)


# --------------------------------------------------------------------------------------------- diff

def _pick(docs, want, where):
    from ..graph import norm_title

    if not docs:
        fail(f"{where}: no document found")
    if want:
        for pred in (lambda d: d.id == want or d.title == want,
                     lambda d: norm_title(d.title) == norm_title(want),
                     lambda d: norm_title(want) in norm_title(d.title)):
            hits = [d for d in docs if pred(d)]
            if hits:
                originals = [d for d in hits if not d.duplicate_of]
                return (originals or hits)[0]
        fail(f"{where}: no document titled {want!r} (it holds: "
             + "; ".join(_short(d.title, 30) for d in docs[:5]) + ("…" if len(docs) > 5 else "") + ")")
    for d in docs:
        if not d.duplicate_of:
            return d
    return docs[0]


def _load(arg, db_path, want):
    from ..errors import InputError, StdkbError

    p = Path(arg)
    if p.exists():
        from ..pipeline import process_path

        try:
            docs = list(process_path(p))
        except InputError as e:
            fail(str(e))
        return _pick(docs, want, arg)
    if db_path is None:
        fail(f"{arg}: no such file (give --db FILE to compare documents stored in a knowledge base)")
    from .. import store

    try:
        return next(iter(store.iter_documents(db_path, doc=arg)))
    except StdkbError as e:
        fail(str(e))
    except StopIteration:
        fail(f"unknown document {arg!r}")


def _style(line: str) -> str:
    if line and not line.startswith(" ") and not line.startswith(("---", "+++")) and "(" in line:
        return click.style(line, bold=True)
    s = line.lstrip()
    if s.startswith("+ "):
        return click.style(line, fg="green")
    if s.startswith("- "):
        return click.style(line, fg="red")
    return line


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--db", "db_path", default=None, type=click.Path(dir_okay=False),
              help="Knowledge base: OLD/NEW that are not files are document ids or titles in it.")
@click.option("--doc", "doc", default=None, help="Title of the document to take from a file holding several.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option("--exit-code", is_flag=True, help="Exit with 1 when the versions differ (like `git diff --exit-code`).")
def diff(old, new, db_path, doc, as_json, exit_code):
    """Compare two versions of a standard clause by clause.

    OLD and NEW are files (read and extracted on the fly; from a file holding several documents the first
    that is not a duplicate is taken, or the one --doc names), or, with --db, document ids or titles in a
    knowledge base. Reports thresholds that changed, obligations whose modality changed, phrases added to or
    removed from the forbidden/required lists, then clauses added, removed, renumbered and reworded.

    \b
    Examples:
      stdkb diff standard-2019.docx standard-2024.docx
      stdkb diff old.txt new.txt --json > changes.json
      stdkb diff "客户服务标准(试行)" new.txt --db stdkb.db
    """
    from ..diff import diff_documents, format_diff

    a = _load(old, db_path, doc)
    b = _load(new, db_path, doc)
    res = diff_documents(a, b)
    if as_json:
        _echo_json(res.to_dict())
    else:
        for line in format_diff(res).splitlines():
            click.echo(_style(line))
    if exit_code and res.changed:
        sys.exit(1)
