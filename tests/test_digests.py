"""desktop/digests.py: the same SHA-256 as hashlib, OS-random tokens, and no OpenSSL on the way."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from desktop import digests
from desktop.domain.audit import GENESIS, entry_hash


@pytest.mark.parametrize("data", [b"", b"abc", "Łódź 東京 ✓".encode(), bytes(range(256)) * 40])
def test_sha256_is_hashlibs(data):
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    h = digests.sha256()
    h.update(data[:7])
    h.update(data[7:])
    assert h.digest() == hashlib.sha256(data).digest()


def test_audit_chain_hash_unchanged():
    """An entry's hash is what every existing store's chain holds (computed with hashlib before)."""
    payload = f'["{GENESIS}","2026-01-10T09:00:00+00:00","bench","store.create","store","key=raw"]'
    assert entry_hash(GENESIS, "2026-01-10T09:00:00+00:00", "bench", "store.create", "store", "key=raw") \
        == hashlib.sha256(payload.encode()).hexdigest()


def test_tokens_are_random_hex_of_the_asked_length():
    tokens = {digests.token_hex(16) for _ in range(50)}
    assert len(tokens) == 50 and all(len(t) == 32 and int(t, 16) >= 0 for t in tokens)
    draws = {digests.randbelow(7) for _ in range(500)}
    assert draws == set(range(7))
    with pytest.raises(ValueError):
        digests.randbelow(0)


def test_importing_it_loads_no_openssl():
    code = "import sys; import desktop.digests; sys.exit(1 if '_hashlib' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
