"""Knowledge-base commands: build, search, show, stats, serve (thin wrappers over :mod:`stdkb.store`)."""
from __future__ import annotations

import json
import sys

import click

from .common import fail, warn

DB_OPTION = click.option("--db", "db_path", default="stdkb.db", show_default=True, type=click.Path(dir_okay=False),
                         help="SQLite knowledge base file.")


def _open(db_path):
    from ..errors import StdkbError
    from ..store import open_db

    try:
        return open_db(db_path)
    except StdkbError as e:
        fail(str(e))


def _console(stderr=False, force_terminal=None):
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=False, force_terminal=force_terminal)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@DB_OPTION
@click.option("--force", is_flag=True, help="Rebuild every file even if its content hash is unchanged.")
@click.option("--max-size", type=int, default=None, help="Refuse files larger than this many MB (default 100).")
@click.option("--password", default=None, help="Password for encrypted PDFs.")
@click.option("--prune", is_flag=True, help="Also remove the documents of files that were deleted under PATHS.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def build(paths, db_path, force, max_size, password, prune, quiet):
    """Build or update the knowledge base from files and directories.

    Unchanged files (same sha256) are skipped; a changed file replaces exactly its own rows, in one
    transaction; a file that cannot be read is recorded in the ingest_errors table, reported on stderr in
    one line, and the others go on (exit code 1).

    \b
    Examples:
      stdkb build corpus/ --db stdkb.db
      stdkb build new_standard.docx --db stdkb.db      # adds or replaces that file's documents
      stdkb build corpus/ --prune                       # and forgets files deleted from corpus/
    """
    from ..errors import StdkbError
    from ..store import build as do_build

    errors = []
    progress_cb = None
    bar = None
    from ..readers import iter_input_files

    try:
        n_files = len(list(iter_input_files(paths)))
    except StdkbError as e:
        fail(str(e))
    except OSError as e:
        fail(f"{e.filename or ''}: {e.strerror or e}")
    if n_files == 0:
        fail("no input files found in " + ", ".join(paths))

    def on_error(msg):
        errors.append(msg)
        if bar is not None:
            bar.console.print(f"stdkb: error: {msg}", markup=False, highlight=False)
        else:
            warn(f"error: {msg}")

    if not quiet and n_files > 3 and (sys.stderr.isatty() or _force_progress()):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                       TextColumn("{task.fields[file]}"),
                       console=_console(stderr=True, force_terminal=True if _force_progress() else None),
                       transient=True)
        task = bar.add_task("build", total=n_files, file="")

        def progress_cb(path, done, total):
            bar.update(task, completed=done, file=path[-50:])

        bar.start()
    try:
        res = do_build(db_path, paths, on_error=on_error, progress=progress_cb, force=force,
                       max_bytes=max_size * 1024 * 1024 if max_size else None, password=password, prune=prune)
    except StdkbError as e:
        fail(str(e))
    finally:
        if bar is not None:
            bar.stop()
    if not quiet:
        click.echo(f"{db_path}: {res.built} file(s) built ({res.documents} documents, {res.clauses} clauses), "
                   f"{res.unchanged} unchanged, {res.failed} failed"
                   + (f", {res.removed} removed" if prune else ""), err=True)
    sys.exit(1 if res.failed else 0)


def _force_progress():
    import os

    return os.environ.get("STDKB_PROGRESS") == "1"


@click.command()
@click.argument("query")
@DB_OPTION
@click.option("--doc", default=None, help="Only clauses of this document (id, title or unique part of a title).")
@click.option("--modality", type=click.Choice(["obligation", "prohibition", "recommendation", "permission"]),
              default=None, help="Only clauses with an obligation of this modality.")
@click.option("--limit", "-n", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--duplicates", is_flag=True, help="Include clauses of documents marked as near-duplicates.")
@click.option("--json", "as_json", is_flag=True, help="Print hits as a JSON list.")
def search(query, db_path, doc, modality, limit, duplicates, as_json):
    """Full-text search over clauses, ranked (BM25). Chinese queries of any length (诉, 投诉, 禁忌用语) and
    English words; several terms are ANDed, "quoted text" is a phrase, word* a prefix.

    \b
    Examples:
      stdkb search 投诉 --db stdkb.db
      stdkb search 禁忌用语 --doc 客户服务标准 --limit 5
      stdkb search "响应 小时" --modality obligation --json
    """
    from ..errors import StdkbError
    from ..store import search as do_search

    db = _open(db_path)
    try:
        hits = do_search(db, query, doc=doc, modality=modality, limit=limit, duplicates=duplicates)
    except StdkbError as e:
        fail(str(e))
    if as_json:
        click.echo(json.dumps(hits, ensure_ascii=False, indent=2))
        return
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    if not hits:
        console.print(f"no clause matches {escape(query)!s}")
        return
    table = Table(title=f"{len(hits)} hit(s) for {escape(query)}", show_lines=False, expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("document", overflow="fold", max_width=24)
    table.add_column("clause path", overflow="fold", max_width=18)
    table.add_column("text", overflow="fold")
    # the match is highlighted in a terminal; piped or pasted output marks it with 【】 instead
    on, off = ("[bold yellow]", "[/bold yellow]") if console.is_terminal else ("【", "】")
    for i, h in enumerate(hits, 1):
        snip = escape(h["snippet"]).replace("&lt;mark&gt;", "<mark>")
        snip = snip.replace("<mark>", on).replace("</mark>", off)
        where = h.get("path_text") or h["label"] or h["kind"]
        table.add_row(str(i), escape(h["document_title"]), escape(str(where)), snip)
    console.print(table)
    if not hits[0]["ranked"]:
        console.print("[dim]too many matching clauses to rank: shown in document order (add characters or "
                      "--doc to narrow the search)[/dim]")


@click.command()
@click.argument("clause_id")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the clause and its rules as JSON.")
def show(clause_id, db_path, as_json):
    """Show one clause: its document, parent path, text and extracted obligations, thresholds, phrases and
    references. CLAUSE_ID is the id printed by `stdkb search --json`.

    \b
    Example:
      stdkb show 'dc07b5eb714:2/2.2/2.2.3' --db stdkb.db
    """
    from ..errors import StdkbError
    from ..store import clause_ancestors, clause_children, clause_rules, get_clause

    db = _open(db_path)
    try:
        c = get_clause(db, clause_id)
        parents = clause_ancestors(db, clause_id)
    except StdkbError as e:
        fail(str(e))
    rules = clause_rules(db, c["n"])
    children = clause_children(db, c["n"])
    if as_json:
        out = dict({k: v for k, v in c.items() if k not in ("n", "document_n")}, parents=[{"id": p["id"], "label": p["label"], "title": p["title"]} for p in parents],
                   children=children, **rules)
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    console = _console()
    trail = " > ".join(escape(f"{p['label'] or ''} {p['title'] or p['text'][:20]}".strip()) for p in parents)
    head = f"[bold]{escape(c['document_title'])}[/bold]  ({escape(c['document'])})"
    if trail:
        head += f"\n[dim]{trail}[/dim]"
    console.print(Panel(escape(c["text"]), title=escape(f"{c['label'] or c['kind']}  {c['id']}"),
                        subtitle=f"{c['kind']}, level {c['level']}", title_align="left"))
    console.print(head)
    specs = {
        "obligations": ("modality", "actor", "text", "condition", "exception", "confidence"),
        "thresholds": ("comparator", "value", "max", "unit", "si_value", "si_unit", "per", "quantity", "text"),
        "phrases": ("kind", "text", "confidence"),
        "references": ("kind", "target", "resolved", "text"),
    }
    for t, cols in specs.items():
        rows = rules[t]
        if not rows:
            continue
        tab = Table(title=f"{t} ({len(rows)})", title_justify="left")
        for col in cols:
            tab.add_column(col, overflow="fold")
        for r in rows:
            tab.add_row(*(escape("" if r[col] is None else str(r[col])) for col in cols))
        console.print(tab)
    if children:
        console.print(f"[dim]{len(children)} sub-clause(s): {escape(', '.join(children[:10]))}"
                      f"{' …' if len(children) > 10 else ''}[/dim]")


@click.command()
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats(db_path, as_json):
    """Summarise the knowledge base: rows per table, obligations per modality, phrases per kind, rules per
    document, files that failed.

    \b
    Example:
      stdkb stats --db stdkb.db
    """
    from ..store import stats as do_stats

    db = _open(db_path)
    s = do_stats(db)
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    t = Table(title=f"knowledge base {escape(str(db_path))}", title_justify="left")
    t.add_column("table")
    t.add_column("rows", justify="right")
    for k, v in s["tables"].items():
        t.add_row(k, str(v))
    console.print(t)
    for key, title in (("modalities", "obligations by modality"), ("phrase_kinds", "phrases by kind")):
        if s[key]:
            t = Table(title=title, title_justify="left")
            t.add_column(key[:-1] if key != "modalities" else "modality")
            t.add_column("rows", justify="right")
            for k, v in s[key].items():
                t.add_row(escape(str(k)), str(v))
            console.print(t)
    if s["documents"]:
        t = Table(title="documents", title_justify="left")
        for col in ("title", "id", "clauses", "obligations", "thresholds", "phrases", "references"):
            t.add_column(col, justify="right" if col not in ("title", "id") else "left", overflow="fold")
        for d in s["documents"]:
            title = d["title"] + (" (duplicate)" if d["duplicate_of"] else "")
            t.add_row(escape(title), escape(d["id"]), *(str(d[c]) for c in
                                                        ("clauses", "obligations", "thresholds", "phrases", "references")))
        console.print(t)
    for e in s["errors"]:
        console.print(f"[red]failed:[/red] {escape(e['error'])}")


@click.command()
@DB_OPTION
@click.option("--port", "-p", type=int, default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--out-dir", type=click.Path(file_okay=False), default=None,
              help="Where to write metadata.yaml / datasette.yaml (default: beside the database).")
@click.option("--write-only", is_flag=True, help="Only write the metadata files, do not start datasette.")
def serve(db_path, port, host, out_dir, write_only):
    """Browse the knowledge base with datasette: facets, full-text search that works for Chinese queries of
    any length, labelled foreign keys and canned queries for compliance work.

    \b
    Examples:
      stdkb serve --db stdkb.db --port 8001
      stdkb serve --db stdkb.db --write-only --out-dir site/     # just generate metadata.yaml
    """
    import os
    from pathlib import Path

    from ..datasette_meta import datasette_command, write_metadata

    db = _open(db_path)
    db.conn.close()
    out = Path(out_dir) if out_dir else Path(db_path).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    files = write_metadata(db_path, out)
    click.echo("wrote " + ", ".join(str(f) for f in files.values()), err=True)
    if write_only:
        return
    cmd = datasette_command(db_path, out, host=host, port=port)
    click.echo(f"datasette on http://{host}:{port}/  (Ctrl-C stops)", err=True)
    try:
        os.execvp(cmd[0], cmd)
    except OSError as e:
        fail(f"cannot start datasette: {e}")
