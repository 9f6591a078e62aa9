"""The ``stance`` command: classify tables, extract quotes, list schemes, report, run the demo.

Errors in the user's input print one line, ``stance: error: ...``, and exit with status 2.
The parsers are in :mod:`stance.cli.parsers`, the commands in :mod:`stance.cli.commands`.
"""
from __future__ import annotations

import sys

from stance.errors import StanceError


def main(argv: list[str] | None = None) -> int:
    """Run the ``stance`` command with ``argv`` (default: the process's arguments); the exit status."""
    from stance.cli.commands import COMMANDS
    from stance.cli.parsers import build_parser

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        COMMANDS[args.command](args)
    except StanceError as exc:
        print(f"stance: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stance: interrupted", file=sys.stderr)
        return 130
    return 0
