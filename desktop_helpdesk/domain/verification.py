"""Ownership verification (seed 002 §1): the caller answers questions only the owner knows.

Answers are never stored, only a salted PBKDF2-HMAC-SHA256 hash of their normalised form
(:func:`normalize_answer`: case, diacritics and spacing ignored, so "Nguyễn Thị Mai",
"NGUYEN THI MAI" and "nguyen  thimai" all match). The stored text is
``pbkdf2_sha256$<iterations>$<salt, base64>$<hash, base64>``; a check reads the iteration
count from it, so raising :data:`ITERATIONS` later keeps old answers working
(:func:`needs_rehash` tells when to re-hash one after a successful check).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from desktop_helpdesk.domain.text import fold

__all__ = [
    "ALGORITHM",
    "ITERATIONS",
    "SALT_BYTES",
    "normalize_answer",
    "hash_answer",
    "check_answer",
    "needs_rehash",
]

ALGORITHM = "pbkdf2_sha256"
#: Modest on purpose: one check takes a few tens of milliseconds on an office PC.
ITERATIONS = 100_000
SALT_BYTES = 16
_MAX_ITERATIONS = 10_000_000  # refuse absurd counts read from a tampered database


def normalize_answer(answer: str) -> str:
    """The form that is hashed: folded (lower case, no diacritics, đ → d) with every
    whitespace removed. Punctuation is kept: "1/12" and "11/2" are different answers."""
    return "".join(fold(answer).split())


def _derive(normalized: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", normalized.encode("utf-8"), salt, iterations)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_answer(answer: str, salt: bytes | None = None, *, iterations: int = ITERATIONS) -> str:
    """Hash an answer for storage. A fresh random salt is drawn unless one is given (tests).

    Raises ``ValueError`` when the answer is empty once normalised: an empty answer proves
    nothing.
    """
    normalized = normalize_answer(answer)
    if not normalized:
        raise ValueError("an empty answer cannot be stored")
    if salt is None:
        salt = os.urandom(SALT_BYTES)
    if not salt:
        raise ValueError("the salt must not be empty")
    if not 1 <= iterations <= _MAX_ITERATIONS:
        raise ValueError(f"iterations out of range: {iterations}")
    digest = _derive(normalized, salt, iterations)
    return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(digest)}"


def _parse(stored: str) -> tuple[int, bytes, bytes]:
    try:
        algorithm, iterations_text, salt_text, digest_text = stored.split("$")
        if algorithm != ALGORITHM or not iterations_text.isdigit():
            raise ValueError
        iterations = int(iterations_text)
        salt = base64.b64decode(salt_text, validate=True)
        digest = base64.b64decode(digest_text, validate=True)
    except (ValueError, binascii.Error, AttributeError):
        raise ValueError("not a stored answer hash") from None
    if not 1 <= iterations <= _MAX_ITERATIONS or not salt or not digest:
        raise ValueError("not a stored answer hash")
    return iterations, salt, digest


def check_answer(answer: str, stored: str) -> bool:
    """Whether ``answer`` matches the stored hash (constant-time comparison).

    An empty answer never matches. A ``stored`` value that is not one of our hashes raises
    ``ValueError`` (corrupt data must not read as "wrong answer").
    """
    iterations, salt, digest = _parse(stored)
    normalized = normalize_answer(answer)
    if not normalized:
        return False
    return hmac.compare_digest(_derive(normalized, salt, iterations), digest)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with fewer iterations than :data:`ITERATIONS`."""
    iterations, _salt, _digest = _parse(stored)
    return iterations < ITERATIONS
