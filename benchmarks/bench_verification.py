"""How long checking a caller's verification answer takes (argon2id at today's
parameters, and an old PBKDF2 answer): the operator waits for it while the caller is on the
line; it runs on the worker, so the window stays responsive meanwhile.

    /work/venv/bin/python -m benchmarks.bench_verification
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_helpdesk.domain.verification import PARAMETERS, check_answer, hash_answer  # noqa: E402

OLD_PBKDF2 = ("pbkdf2_sha256$100000$MDEyMzQ1Njc4OWFiY2RlZg==$"  # "Đặng Văn A" as stored before argon2id
              "c+5GMQyoTekjKCZ5UVp8Gjgqdw+zN+s8KY85KyDdt1k=")


def _time(label: str, stored: str) -> None:
    check_answer("Đặng Văn A", stored)  # warm up
    times = []
    for _ in range(21):
        t0 = time.perf_counter()
        check_answer("dang van a", stored)
        times.append(time.perf_counter() - t0)
    print(f"check_answer, {label}: median {statistics.median(times) * 1000:.1f} ms, "
          f"min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms (target < 500 ms)")


def main() -> None:
    p = PARAMETERS
    _time(f"argon2id m={p.memory_cost // 1024} MiB t={p.time_cost} p={p.parallelism}", hash_answer("Đặng Văn A"))
    _time("PBKDF2-SHA256 100,000 iterations (answers stored before argon2id)", OLD_PBKDF2)


if __name__ == "__main__":
    main()
