"""stdkb's command line: a thin layer over the library.

Commands are loaded lazily (only the module of the command being run is imported), so ``stdkb --help``
starts fast even though some commands use spaCy, datasette or networkx. Each command module lives beside
this file and owns its own options; the table below is the only place that lists them.
"""
from __future__ import annotations

import importlib
import sys

import click

#: command name -> (module, attribute, one-line help shown by ``stdkb --help``)
COMMANDS = {
    "extract": ("stdkb.cli.extract", "extract", "Read standards and print their clause trees and extracted rules as JSON."),
    "build": ("stdkb.cli.kb", "build", "Build or update the SQLite knowledge base from files."),
    "search": ("stdkb.cli.kb", "search", "Full-text search over clauses (Chinese and English)."),
    "show": ("stdkb.cli.kb", "show", "Show one clause with its path, extracted rules and references."),
    "stats": ("stdkb.cli.kb", "stats", "Summarise the knowledge base."),
    "serve": ("stdkb.cli.kb", "serve", "Browse the knowledge base with datasette."),
    "graph": ("stdkb.cli.graph", "graph", "Build, query and export the knowledge graph."),
    "diff": ("stdkb.cli.graph", "diff", "Compare two versions of a standard clause by clause."),
    "checklist": ("stdkb.cli.checklist", "checklist", "Generate an audit checklist from a standard."),
    "check-transcript": ("stdkb.cli.checklist", "check_transcript", "Check a call transcript for forbidden and required phrases."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        spec = COMMANDS.get(name)
        if spec is None:
            return None
        module, attr, _ = spec
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name == module:
                return None
            raise
        return getattr(mod, attr, None)

    def format_commands(self, ctx, formatter):
        rows = [(name, spec[2]) for name, spec in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stdkb")
def cli():
    """stdkb turns standards documents (TXT, Markdown, DOCX, PDF) into a knowledge base.

    \b
    Examples:
      stdkb extract corpus/ --format json > out.json
      stdkb build corpus/ --db stdkb.db
      stdkb search 投诉 --db stdkb.db
      stdkb checklist corpus/000_0488f31712851f27.txt --format md
    """


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="stdkb", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
