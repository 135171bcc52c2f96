"""The log file rotates, so a desk left running for months never fills its disk."""

from __future__ import annotations

import logging
import logging.handlers

from desktop_helpdesk.app import setup_logging


def test_the_log_file_rotates_and_keeps_a_few_old_ones(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    log_file = setup_logging(tmp_path / "logs", ["hunter2"])
    try:
        (handler,) = [h for h in root.handlers if h not in before]
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        assert handler.maxBytes > 0 and handler.backupCount >= 1
        handler.maxBytes = 2000  # rotate after a few records instead of after 2 MB
        for i in range(100):
            logging.getLogger("desktop_helpdesk.test").info("record %d with the password hunter2", i)
        handler.flush()
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)
    rotated = sorted(p.name for p in log_file.parent.iterdir())
    assert log_file.name in rotated and f"{log_file.name}.1" in rotated
    assert len(rotated) <= 1 + handler.backupCount
    text = "".join(p.read_text(encoding="utf-8") for p in log_file.parent.iterdir())
    assert "record 99" in text and "hunter2" not in text
