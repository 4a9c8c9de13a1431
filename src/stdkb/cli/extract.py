"""``stdkb extract``: the stable machine interface (JSON described by schema/extract.schema.json)."""
from __future__ import annotations

import json
import sys

import click

from .common import warn


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "summary"]), default="json", show_default=True,
              help="json: one object with all documents; jsonl: one document per line, streamed; summary: a table for people.")
@click.option("--no-extract", is_flag=True, help="Only segment (clause tree), skip obligation/threshold/phrase/reference extraction.")
@click.option("--skip-duplicates", is_flag=True, help="Leave out documents marked duplicate_of another.")
@click.option("--password", default=None, help="Password for encrypted PDFs.")
@click.option("--max-size", type=float, default=100, show_default=True, help="Refuse files larger than this many MB.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, help="Write to FILE instead of standard output.")
@click.option("--indent", type=int, default=None, help="Indent JSON output (default: compact for jsonl, 1 for json).")
def extract(paths, fmt, no_extract, skip_duplicates, password, max_size, output, indent):
    """Read standards (files or directories) and print their clause trees and extracted rules.

    \b
    Examples:
      stdkb extract corpus/                       # all documents as one JSON object
      stdkb extract standard.docx --format jsonl  # one document per line, streamed
      stdkb extract corpus/ --format summary      # titles, clause counts, duplicates
      stdkb extract a.pdf --password secret -o out.json

    A file that cannot be read is reported on stderr with one line naming it; the others are still
    processed, and the exit code is 1.
    """
    from ..pipeline import process_paths

    failures = []

    def on_error(err):
        failures.append(err)
        warn(f"error: {err}")

    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    progress = _progress(paths)
    docs = process_paths(paths, extract=not no_extract, password=password, max_bytes=int(max_size * 1024 * 1024),
                         on_error=on_error, on_file=progress.advance if progress else None)
    try:
        if fmt == "jsonl":
            for doc in docs:
                if skip_duplicates and doc.duplicate_of:
                    continue
                out.write(json.dumps(doc.to_dict(), ensure_ascii=False, indent=indent) + "\n")
                out.flush()
        elif fmt == "json":
            out.write('{"documents": [')
            first = True
            for doc in docs:
                if skip_duplicates and doc.duplicate_of:
                    continue
                out.write(("" if first else ",") + "\n" + json.dumps(doc.to_dict(), ensure_ascii=False,
                                                                     indent=1 if indent is None else indent))
                first = False
            out.write("\n]}\n")
        else:
            _summary(docs, out, skip_duplicates)
    finally:
        if progress:
            progress.close()
        if output:
            out.close()
    if failures:
        sys.exit(1)


class _Progress:
    """A progress bar on stderr for long runs (more than a few files, stderr a terminal)."""

    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("[bold]reading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                             TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
        self._task = self._bar.add_task("", total=total)
        self._bar.start()
        self._started = False

    def advance(self, path):
        if self._started:
            self._bar.advance(self._task)
        self._started = True
        self._bar.update(self._task, description=str(path.name)[:40])

    def close(self):
        self._bar.stop()


def _progress(paths):
    if not sys.stderr.isatty():
        return None
    from ..readers import iter_input_files

    total = sum(1 for _ in iter_input_files(paths))
    return _Progress(total) if total > 3 else None


def _summary(docs, out, skip_duplicates):
    from collections import Counter

    n_docs = 0
    totals = Counter()
    out.write(f"{'document':<44} {'clauses':>7} {'oblig.':>6} {'thresh.':>7} {'phrases':>7} {'refs':>5}  duplicate_of\n")
    for doc in docs:
        if skip_duplicates and doc.duplicate_of:
            continue
        n_docs += 1
        c = Counter()
        for cl in doc.clauses:
            c["clauses"] += 1
            c["obligations"] += len(cl.obligations)
            c["thresholds"] += len(cl.thresholds)
            c["phrases"] += len(cl.phrases)
            c["references"] += len(cl.references)
        totals.update(c)
        title = doc.title if len(doc.title) <= 22 else doc.title[:21] + "…"
        pad = 44 - sum(2 if ord(ch) > 0x2e80 else 1 for ch in title)
        out.write(f"{title}{' ' * max(1, pad)} {c['clauses']:>7} {c['obligations']:>6} {c['thresholds']:>7} "
                  f"{c['phrases']:>7} {c['references']:>5}  {doc.duplicate_of or ''}\n")
    out.write(f"{n_docs} documents, {totals['clauses']} clauses, {totals['obligations']} obligations, "
              f"{totals['thresholds']} thresholds, {totals['phrases']} phrases, {totals['references']} references\n")
