"""``jwst-lab demo``: build or reuse the demo workspace, then start JupyterLab on it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import instrument as inst
from .workspace import (
    DEFAULT_EXPOSURES,
    DEFAULT_SEED,
    DEFAULT_WORKSPACE,
    WorkspaceError,
    ensure_workspace,
)

PROG = "jwst-lab demo"


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, not {value}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed must be 0 or more, not {value}")
    return value


def _exposures(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"exposures must be a whole number, not {text!r}"
        ) from None
    if not inst.MIN_EXPOSURES <= value <= inst.MAX_EXPOSURES:
        raise argparse.ArgumentTypeError(
            f"exposures must be between {inst.MIN_EXPOSURES} and {inst.MAX_EXPOSURES}, not {value}"
        )
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``jwst-lab demo``."""
    parser.add_argument(
        "--workspace",
        type=Path,
        default=DEFAULT_WORKSPACE,
        metavar="DIR",
        help=f"folder of the demo workspace (default: ./{DEFAULT_WORKSPACE})",
    )
    parser.add_argument(
        "--seed",
        type=_seed,
        default=DEFAULT_SEED,
        metavar="N",
        help=f"random seed of the synthetic sky and noise (default: {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--exposures",
        type=_exposures,
        default=DEFAULT_EXPOSURES,
        metavar="N",
        help=f"dithered exposures in the synthetic program, {inst.MIN_EXPOSURES} to "
        f"{inst.MAX_EXPOSURES} (default: {DEFAULT_EXPOSURES}; 16 makes a program big enough "
        "to schedule; each exposure adds about 36 MB and 1-2 s)",
    )
    parser.add_argument(
        "--no-launch",
        action="store_true",
        help="only build or check the workspace; do not start JupyterLab",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8888,
        metavar="N",
        help="port of JupyterLab on 127.0.0.1 (default: 8888)",
    )


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run the command; return its exit status (2 for a workspace that cannot be used)."""
    try:
        result = ensure_workspace(args.workspace, seed=args.seed, exposures=args.exposures)
    except WorkspaceError as error:
        _error(str(error))
        return 2
    except KeyboardInterrupt:
        _error("interrupted; nothing was changed (the partial build was removed)")
        return 130
    except Exception as error:  # one clear line instead of a traceback
        _error(f"building the demo workspace failed: {type(error).__name__}: {error}")
        return 1
    count = result.manifest.get("n_exposures", DEFAULT_EXPOSURES)
    if result.reused:
        print(
            f"Reusing the demo workspace {result.path} ({count} exposures, complete and current)."
        )
    else:
        print(
            f"Built the demo workspace {result.path} ({count} exposures) in {result.seconds:.1f} s."
        )
        if result.moved_aside is not None:
            print(
                f"The previous workspace held files of yours; it was kept as {result.moved_aside}."
            )
    print("The data are SYNTHETIC (made by jwst-lab, not by JWST); see README.md there.")
    from .launch import index_archive

    try:
        print(index_archive(result.path))
    except Exception as error:  # searches then fall back to indexing at server start
        _error(f"indexing the demo archive failed: {type(error).__name__}: {error}")
    if args.no_launch:
        again = f"jwst-lab demo --workspace {result.path}"
        if args.seed != DEFAULT_SEED:
            again += f" --seed {args.seed}"
        if args.exposures != DEFAULT_EXPOSURES:
            again += f" --exposures {args.exposures}"
        print(f"Start JupyterLab on it with: {again}")
        return 0
    from .launch import launch

    print(f"Starting JupyterLab on http://127.0.0.1:{args.port} (Ctrl-C to stop) ...")
    return launch(result.path, args.port)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point (``python -m jwst_lab.demo.command``)."""
    parser = argparse.ArgumentParser(prog=PROG)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
