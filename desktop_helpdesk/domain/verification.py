"""Ownership verification (seed 002 §1): the caller answers questions only the owner knows.

Answers are never stored, only a salted hash of their normalised form
(:func:`normalize_answer`: case, diacritics and spacing ignored, so "Nguyễn Thị Mai",
"NGUYEN THI MAI" and "nguyen  thimai" all match).

New answers are hashed with argon2id (argon2-cffi; :data:`PARAMETERS`, RFC 9106's
low-memory profile): the stored text is argon2's own ``$argon2id$v=19$m=…,t=…,p=…$salt$hash``.
Answers stored before issue #13 are ``pbkdf2_sha256$<iterations>$<salt, base64>$<hash,
base64>`` (PBKDF2-HMAC-SHA256, 100,000 iterations): they still check, and
:func:`needs_rehash` says to replace them, as it does an argon2 hash made with weaker
parameters than today's, once a good answer has been given (the answer is only known then).

A customer's answers are a short secret, easy to guess by trying: :func:`attempts_left`
counts the wrong answers of the last :data:`ATTEMPT_WINDOW` against :data:`MAX_FAILED_ATTEMPTS`
and tells until when checking is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import Parameters, PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

from desktop_helpdesk.domain.text import fold

__all__ = [
    "ATTEMPT_WINDOW",
    "LEGACY_ALGORITHM",
    "MAX_FAILED_ATTEMPTS",
    "PARAMETERS",
    "AttemptsLeft",
    "attempts_left",
    "check_answer",
    "hash_answer",
    "needs_rehash",
    "normalize_answer",
]

#: How new answers are hashed: argon2id, 64 MiB, 3 passes, 4 lanes (about 0.15 s on an
#: office PC, on the worker). Raising them later makes older hashes "need rehash".
PARAMETERS: Parameters = RFC_9106_LOW_MEMORY

#: The form answers were stored in before argon2id; still checked, replaced after a good answer.
LEGACY_ALGORITHM = "pbkdf2_sha256"
_MAX_ITERATIONS = 10_000_000  # refuse absurd counts read from a tampered database

#: Wrong answers allowed for one customer within ATTEMPT_WINDOW; the next check is refused.
MAX_FAILED_ATTEMPTS = 5
#: The sliding window the wrong answers are counted in.
ATTEMPT_WINDOW = timedelta(hours=1)


def normalize_answer(answer: str) -> str:
    """The form that is hashed: folded (lower case, no diacritics, đ → d) with every
    whitespace removed. Punctuation is kept: "1/12" and "11/2" are different answers."""
    return "".join(fold(answer).split())


def _hasher(parameters: Parameters = PARAMETERS) -> PasswordHasher:
    # Cheap to build (it only holds the parameters); built per call, nothing at import.
    return PasswordHasher.from_parameters(parameters)


def hash_answer(answer: str, *, parameters: Parameters = PARAMETERS) -> str:
    """Hash an answer for storage (argon2id, a fresh random salt each time).

    Raises ``ValueError`` when the answer is empty once normalised: an empty answer proves
    nothing. ``parameters`` other than :data:`PARAMETERS` are for tests.
    """
    normalized = normalize_answer(answer)
    if not normalized:
        raise ValueError("an empty answer cannot be stored")
    return _hasher(parameters).hash(normalized)


def _is_argon2(stored: str) -> bool:
    return isinstance(stored, str) and stored.startswith("$argon2")


def _parse_legacy(stored: str) -> tuple[int, bytes, bytes]:
    try:
        algorithm, iterations_text, salt_text, digest_text = stored.split("$")
        if algorithm != LEGACY_ALGORITHM or not iterations_text.isdigit():
            raise ValueError
        iterations = int(iterations_text)
        salt = base64.b64decode(salt_text, validate=True)
        digest = base64.b64decode(digest_text, validate=True)
    except (ValueError, binascii.Error, AttributeError):
        raise ValueError("not a stored answer hash") from None
    if not 1 <= iterations <= _MAX_ITERATIONS or not salt or not digest:
        raise ValueError("not a stored answer hash")
    return iterations, salt, digest


def _parse_argon2(stored: str) -> Parameters:
    try:
        return extract_parameters(stored)
    except (InvalidHashError, ValueError, IndexError):
        raise ValueError("not a stored answer hash") from None


def check_answer(answer: str, stored: str) -> bool:
    """Whether ``answer`` matches the stored hash (argon2id, or the older PBKDF2 form;
    constant-time either way).

    An empty answer never matches. A ``stored`` value that is not one of our hashes raises
    ``ValueError`` (corrupt data must not read as "wrong answer").
    """
    if _is_argon2(stored):
        _parse_argon2(stored)
        normalized = normalize_answer(answer)
        if not normalized:
            return False
        try:
            return _hasher().verify(stored, normalized)
        except VerifyMismatchError:
            return False
        except InvalidHashError:
            raise ValueError("not a stored answer hash") from None
        except VerificationError:  # a hash argon2 reads but cannot check (e.g. absurd sizes)
            raise ValueError("not a stored answer hash") from None
    iterations, salt, digest = _parse_legacy(stored)
    normalized = normalize_answer(answer)
    if not normalized:
        return False
    derived = hashlib.pbkdf2_hmac("sha256", normalized.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(derived, digest)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` should be replaced by :func:`hash_answer`'s form after a good
    answer: any PBKDF2 hash, and an argon2 hash made with other parameters than today's."""
    if _is_argon2(stored):
        _parse_argon2(stored)
        return _hasher().check_needs_rehash(stored)
    _parse_legacy(stored)
    return True


@dataclass(frozen=True)
class AttemptsLeft:
    """What a customer's recent wrong answers allow now."""

    tries_left: int
    """Wrong answers still allowed before checking is refused (0: refused now)."""
    locked_until: datetime | None
    """While refused: from when answering works again (when the oldest counted wrong
    answer leaves the window); None while answers are still checked."""

    @property
    def refused(self) -> bool:
        return self.locked_until is not None


def attempts_left(failed_at: list[datetime], now: datetime, *, limit: int = MAX_FAILED_ATTEMPTS,
                  window: timedelta = ATTEMPT_WINDOW) -> AttemptsLeft:
    """Given the times of a customer's wrong answers (any order; older ones are ignored),
    how many more are allowed now, and until when checking is refused once none are.

    A wrong answer counts while it is less than ``window`` old: made at 14:42, it no longer
    counts from 15:42 on. One stamped "later" than ``now`` (by another desk whose clock is
    ahead) counts too: a slow clock must not open the door."""
    recent = sorted(t for t in failed_at if t > now - window)
    if len(recent) < limit:
        return AttemptsLeft(limit - len(recent), None)
    # Refused until enough of them have left the window to leave one try.
    return AttemptsLeft(0, recent[len(recent) - limit] + window)
