"""Add up pytest, jest and Playwright results into one ``N passed, N failed`` line.

The CI log reader understands only that line, so ``make test`` ends with it.
A runner whose report is missing or unreadable (it crashed before writing one)
counts as one failure, so a broken runner can never look green.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - our own pytest report, not untrusted XML
from pathlib import Path


def pytest_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from a pytest JUnit XML report."""
    root = ET.parse(path).getroot()  # noqa: S314
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return total - failed - skipped, failed, skipped


def jest_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from ``jest --json`` output."""
    report = json.loads(path.read_text())
    failed = report["numFailedTests"]
    if report.get("numRuntimeErrorTestSuites"):
        failed += report["numRuntimeErrorTestSuites"]
    return report["numPassedTests"], failed, report["numPendingTests"] + report["numTodoTests"]


def playwright_counts(path: Path) -> tuple[int, int, int]:
    """(passed, failed, skipped) from Playwright's JSON reporter; flaky tests passed on retry."""
    stats = json.loads(path.read_text())["stats"]
    failed = stats["unexpected"]
    if stats.get("errors"):
        failed += len(stats["errors"])
    return stats["expected"] + stats.get("flaky", 0), failed, stats.get("skipped", 0)


def main(argv: list[str] | None = None) -> int:
    """Print one line per runner, then the summary line; exit 1 when anything failed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pytest", type=Path, required=True)
    parser.add_argument("--jest", type=Path, required=True)
    parser.add_argument("--playwright", type=Path, required=True)
    args = parser.parse_args(argv)

    runners = [
        ("pytest", pytest_counts, args.pytest),
        ("jest", jest_counts, args.jest),
        ("galata", playwright_counts, args.playwright),
    ]
    passed = failed = 0
    for name, count, path in runners:
        try:
            p, f, s = count(path)
        except (OSError, ValueError, KeyError, ET.ParseError) as error:
            print(f"{name}: no usable report at {path} ({error}); counted as 1 failure")
            p, f, s = 0, 1, 0
        print(f"{name}: {p} passed, {f} failed, {s} skipped")
        passed += p
        failed += f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
