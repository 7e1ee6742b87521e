"""The ``jwst-lab`` command.

Each subcommand is a function registered in :data:`SUBCOMMANDS`; later
features (``demo``, ``index``) add theirs there. Heavy imports happen inside
the subcommand that needs them, so ``jwst-lab --help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from . import __version__


def _add_info_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _run_info(args: argparse.Namespace) -> int:
    from .core.info import component_versions

    versions = component_versions()
    if args.json:
        print(json.dumps(versions, indent=2))
    else:
        width = max(len(name) for name in versions)
        for name, value in versions.items():
            print(f"{name:<{width}}  {value or 'not installed'}")
    return 0


def _add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    from .demo.command import add_arguments

    add_arguments(parser)


def _run_demo(args: argparse.Namespace) -> int:
    from .demo.command import run

    return run(args)


def _add_index_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", metavar="DIR", help="folder of JWST products to index")
    parser.add_argument(
        "--index",
        metavar="PATH",
        default=None,
        help="SQLite index to create or update (default: the one jwst-lab's server uses, "
        "<jupyter data dir>/jwst_lab/archive_index.sqlite)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def _run_index(args: argparse.Namespace) -> int:
    from .core.archive import ArchiveError, LocalArchive, default_index_path

    index = args.index or str(default_index_path())
    try:
        report = LocalArchive(index).index(args.directory)
    except ArchiveError as error:
        print(f"jwst-lab index: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"index": index, **report.as_dict()}, indent=2))
    else:
        print(
            f"Indexed {report.root} into {index}: {report.read} read, {report.unchanged} "
            f"unchanged, {report.removed} removed, {len(report.failed)} unreadable; "
            f"{report.observations} observations ({report.seconds:.2f} s)."
        )
        for failure in report.failed:
            print(f"  unreadable: {failure}", file=sys.stderr)
    return 0


#: (name, help, add_arguments, run): the subcommands of ``jwst-lab``.
SUBCOMMANDS: list[
    tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = [
    (
        "info",
        "show the versions of jwst-lab and the JWST libraries it drives",
        _add_info_arguments,
        _run_info,
    ),
    (
        "demo",
        "build an offline demo workspace (synthetic MIRI data, CRDS cache, archive) "
        "and start JupyterLab on it",
        _add_demo_arguments,
        _run_demo,
    ),
    (
        "index",
        "index a folder of JWST products (FITS headers, associations) for local MAST searches; "
        "only new or changed files are read again",
        _add_index_arguments,
        _run_index,
    ),
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``jwst-lab`` with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="jwst-lab",
        description="JupyterLab for JWST data reduction: MAST search and download, "
        "CRDS browser, pipeline jobs.",
    )
    parser.add_argument("--version", action="version", version=f"jwst-lab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text, add_arguments, run in SUBCOMMANDS:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        add_arguments(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jwst-lab`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
