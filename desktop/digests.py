"""SHA-256 of short texts and random tokens, without loading OpenSSL through hashlib.

Importing hashlib, hmac or secrets loads `_hashlib`, which links libcrypto and runs OpenSSL's
initialisation: about 3.6 MiB more resident memory in every process that does (measured on the
2-core development VM; the bare PySide6 window never loads it). The window needs SHA-256 only for
short texts (the audit chain's entries, the clipboard's digest) and random tokens (a raw key, a
lock slot, a request reference), so it takes them from here: CPython's built-in SHA-256 (`_sha256`;
`_sha2` from Python 3.12) gives the same digests, about 0.5 us slower per short entry (100,000
audit entries: +50 ms). Long data (file fingerprints) keeps hashlib, where OpenSSL is about 8x
faster; those modules load it when first used.

At the bottom with domain/: any layer may use it.
"""

from __future__ import annotations

import os
import random

try:
    from _sha2 import sha256 as _sha256  # CPython 3.12+
except ImportError:
    try:
        from _sha256 import sha256 as _sha256  # CPython 3.11
    except ImportError:  # a Python built without its own hashes: OpenSSL's
        from hashlib import sha256 as _sha256

_system_random = random.SystemRandom()


def sha256(data: bytes = b""):
    """A SHA-256 hash object (digest(), hexdigest(), update()) over `data`."""
    return _sha256(data)


def token_hex(nbytes: int) -> str:
    """As secrets.token_hex: `nbytes` random bytes from the OS, as hex."""
    return os.urandom(nbytes).hex()


def randbelow(exclusive_upper_bound: int) -> int:
    """As secrets.randbelow: a random int in [0, exclusive_upper_bound) from the OS's randomness."""
    if exclusive_upper_bound <= 0:
        raise ValueError("Upper bound must be positive.")
    return _system_random.randrange(exclusive_upper_bound)
