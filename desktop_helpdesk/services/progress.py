"""Progress and Cancel for long work: a use case reports `progress(done, total)` between
batches that each commit; the caller's callable may raise `Cancelled` to stop it there
(what was committed stays: every batch leaves the data consistent)."""

from __future__ import annotations

from typing import Callable

Progress = Callable[[int, int], None]


class Cancelled(Exception):
    """The person asked to stop a long job; the batches already committed stay: `done` of
    `total` items were finished (as last reported) when it stopped."""

    def __init__(self, done: int = 0, total: int = 0):
        super().__init__(done, total)
        self.done, self.total = done, total


def report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
