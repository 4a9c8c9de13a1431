"""Helpers shared by the command modules: error reporting and exit codes.

Exit codes: 0 success, 1 some inputs failed (the rest was processed) or a check found a problem,
2 usage error / missing database / unknown document.
"""
from __future__ import annotations

import sys

import click


def fail(message: str, code: int = 2):
    """Print one clear line to stderr and exit with ``code``."""
    click.echo(f"stdkb: error: {message}", err=True)
    sys.exit(code)


def warn(message: str):
    click.echo(f"stdkb: {message}", err=True)
