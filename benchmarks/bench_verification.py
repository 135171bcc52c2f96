"""How long checking a caller's verification answer takes (PBKDF2-SHA256, the stored
iteration count): the operator waits for it while the caller is on the line.

    /work/venv/bin/python -m benchmarks.bench_verification
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_helpdesk.domain.verification import ITERATIONS, check_answer, hash_answer  # noqa: E402


def main() -> None:
    stored = hash_answer("Đặng Văn A")
    check_answer("Đặng Văn A", stored)  # warm up
    times = []
    for _ in range(21):
        t0 = time.perf_counter()
        check_answer("dang van a", stored)
        times.append(time.perf_counter() - t0)
    print(f"check_answer, {ITERATIONS:,} iterations: median {statistics.median(times) * 1000:.1f} ms, "
          f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
