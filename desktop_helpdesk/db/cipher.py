"""The offline copy is encrypted at rest (issue #15): SQLCipher (the sqlcipher3 module, whose
wheels cover Windows, Linux and macOS), keyed with 256 bits derived from the operator's
password (argon2id, a salt kept beside the file). Without the key the file reads as noise:
"file is not a database".

Engines learn a file's key here: `unlock(path, key)` before opening it, and every SQLite
connection the app makes to that path (the app's engine, the migration engine, a check)
goes through SQLCipher with `PRAGMA key` first.
"""

from __future__ import annotations

import os
from pathlib import Path

_KEYS: dict[str, bytes] = {}

#: The salt file beside the copy: `<copy>.salt`, 16 random bytes.
SALT_SUFFIX = ".salt"


def _norm(path) -> str:
    return str(Path(path).resolve())


def unlock(path, key: bytes) -> None:
    """Connections to `path` use `key` from now on."""
    _KEYS[_norm(path)] = bytes(key)


def forget(path) -> None:
    _KEYS.pop(_norm(path), None)


def key_for(path) -> bytes | None:
    return _KEYS.get(_norm(path)) if path is not None else None


def module():
    """The DB-API module that opens encrypted files."""
    from sqlcipher3 import dbapi2

    return dbapi2


def apply_key(dbapi_conn, key: bytes) -> None:
    """`PRAGMA key` with the raw 256-bit key (no passphrase stretching of SQLCipher's own:
    argon2id already did it). Must be the connection's first statement."""
    cur = dbapi_conn.cursor()
    try:
        # A wrong key is told to the user in their language; SQLCipher's own lines on stderr say nothing more.
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    finally:
        cur.close()


def connect(path, key: bytes, **kwargs):
    """A raw DB-API connection to an encrypted file."""
    con = module().connect(str(path), **kwargs)
    apply_key(con, key)
    return con


def salt_of(path, create: bool = False) -> bytes:
    salt_path = Path(str(path) + SALT_SUFFIX)
    if salt_path.exists():
        return salt_path.read_bytes()
    if not create:
        raise FileNotFoundError(salt_path)
    salt = os.urandom(16)
    salt_path.write_bytes(salt)
    return salt


def derive_key(password: str, salt: bytes) -> bytes:
    """256 bits from the operator's password (NFC) with argon2id: a stolen laptop's copy
    costs an attacker argon2 work per guess."""
    import unicodedata

    from argon2.low_level import Type, hash_secret_raw

    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    return hash_secret_raw(secret, salt, time_cost=3, memory_cost=65536, parallelism=2, hash_len=32, type=Type.ID)


def connect_any(path, **kwargs):
    """A raw connection to `path`: through SQLCipher with its key when it is an encrypted
    copy, plain sqlite3 otherwise."""
    key = key_for(path)
    if key is None:
        import sqlite3

        return sqlite3.connect(str(path), **kwargs)
    return connect(path, key, **kwargs)
