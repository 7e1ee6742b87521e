"""What the benchmarks' reports share: medians in milliseconds and the closing verdict."""

from __future__ import annotations

import statistics


def p50_ms(seconds: list[float]) -> float:
    """The median of ``seconds``, in milliseconds."""
    return statistics.median(seconds) * 1000


def verdict(name: str, ok: bool) -> int:
    """Print ``name: OK`` or ``name: TARGET MISSED``; the script's exit status."""
    print(f"{name}:", "OK" if ok else "TARGET MISSED")
    return 0 if ok else 1
