"""Decrypt a SQLCipher 4 database file (and its -wal file) page by page, outside SQLCipher.

Used by residue tests: they look for removed personal data in every page of the file, free
pages included, and in every WAL frame, which SQL queries can never show.

SQLCipher 4 defaults (what the store uses):
- page size 4096; the first 16 bytes of the file are the KDF salt (in place of "SQLite format 3");
- each page ends with an 80-byte reserve: 16-byte IV, then a 64-byte HMAC-SHA512;
- AES-256-CBC over the rest of the page (page 1: from byte 16, after the salt), no padding;
- encryption key: a raw key (x'...') is used as is; a passphrase goes through
  PBKDF2-HMAC-SHA512 with 256000 iterations and the salt;
- HMAC key: PBKDF2-HMAC-SHA512(encryption key, salt XOR 0x3a, 2 iterations); the HMAC covers
  the ciphertext and the IV, then the page number as 4 little-endian bytes.
WAL: a 32-byte file header, then frames of a 24-byte header (page number big-endian in the
first 4 bytes) followed by one page encrypted exactly as in the main file.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE_SIZE = 4096
SALT_SIZE = 16
IV_SIZE = 16
HMAC_SIZE = 64
RESERVE = IV_SIZE + HMAC_SIZE
KDF_ITER = 256_000
FAST_KDF_ITER = 2
HMAC_SALT_MASK = 0x3A
WAL_HEADER = 32
WAL_FRAME_HEADER = 24


class PageAuthError(Exception):
    """A page's HMAC does not verify: wrong key, or this helper misreads the layout."""


@dataclass(frozen=True)
class DecryptedPage:
    source: str  # "db" or "wal"
    pgno: int
    plaintext: bytes  # the usable part of the page (page 1 without the salt), decrypted


def read_salt(db_path: Path) -> bytes:
    with open(db_path, "rb") as fh:
        salt = fh.read(SALT_SIZE)
    if len(salt) != SALT_SIZE:
        raise ValueError("file too short to be a SQLCipher database")
    return salt


def derive_keys(*, salt: bytes, passphrase: str | None = None, raw_key_hex: str | None = None) -> tuple[bytes, bytes]:
    """(encryption key, HMAC key) for this database."""
    if (passphrase is None) == (raw_key_hex is None):
        raise ValueError("give exactly one of passphrase or raw_key_hex")
    if raw_key_hex is not None:
        enc_key = bytes.fromhex(raw_key_hex)
    else:
        enc_key = hashlib.pbkdf2_hmac("sha512", passphrase.encode("utf-8"), salt, KDF_ITER, 32)
    hmac_salt = bytes(b ^ HMAC_SALT_MASK for b in salt)
    hmac_key = hashlib.pbkdf2_hmac("sha512", enc_key, hmac_salt, FAST_KDF_ITER, 32)
    return enc_key, hmac_key


def decrypt_page(raw: bytes, pgno: int, enc_key: bytes, hmac_key: bytes, *, verify: bool = True) -> bytes:
    """Decrypt one stored page (PAGE_SIZE bytes as on disk). Returns the usable plaintext."""
    if len(raw) != PAGE_SIZE:
        raise ValueError(f"page {pgno}: expected {PAGE_SIZE} bytes, got {len(raw)}")
    body = raw[SALT_SIZE:] if pgno == 1 else raw
    size = len(body) - RESERVE
    ciphertext, iv, mac = body[:size], body[size:size + IV_SIZE], body[size + IV_SIZE:]
    if verify:
        expected = hmac.new(hmac_key, ciphertext + iv + pgno.to_bytes(4, "little"), hashlib.sha512).digest()
        if not hmac.compare_digest(expected, mac):
            raise PageAuthError(f"page {pgno}: HMAC mismatch")
    decryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


def db_pages(db_path: Path, enc_key: bytes, hmac_key: bytes, *, verify: bool = True) -> list[DecryptedPage]:
    data = Path(db_path).read_bytes()
    if len(data) % PAGE_SIZE:
        raise ValueError(f"file size {len(data)} is not a multiple of the page size")
    return [
        DecryptedPage("db", n + 1, decrypt_page(data[n * PAGE_SIZE:(n + 1) * PAGE_SIZE], n + 1, enc_key, hmac_key,
                                                verify=verify))
        for n in range(len(data) // PAGE_SIZE)
    ]


def wal_pages(wal_path: Path, enc_key: bytes, hmac_key: bytes, *, verify: bool = True) -> list[DecryptedPage]:
    """Every complete frame in the WAL file, valid or stale (stale frames still hold old data)."""
    wal_path = Path(wal_path)
    if not wal_path.exists():
        return []
    data = wal_path.read_bytes()
    out = []
    pos = WAL_HEADER
    frame = WAL_FRAME_HEADER + PAGE_SIZE
    while pos + frame <= len(data):
        pgno = int.from_bytes(data[pos:pos + 4], "big")
        raw = data[pos + WAL_FRAME_HEADER:pos + frame]
        if pgno > 0:
            try:
                out.append(DecryptedPage("wal", pgno, decrypt_page(raw, pgno, enc_key, hmac_key, verify=verify)))
            except PageAuthError:
                if verify:
                    raise
        pos += frame
    return out


@dataclass
class StoreImage:
    """All decrypted pages of a store file and its WAL."""

    pages: list[DecryptedPage]

    @classmethod
    def read(cls, db_path: Path, *, passphrase: str | None = None, raw_key_hex: str | None = None,
             verify: bool = True) -> StoreImage:
        db_path = Path(db_path)
        enc_key, hmac_key = derive_keys(salt=read_salt(db_path), passphrase=passphrase, raw_key_hex=raw_key_hex)
        pages = db_pages(db_path, enc_key, hmac_key, verify=verify)
        pages += wal_pages(Path(str(db_path) + "-wal"), enc_key, hmac_key, verify=verify)
        return cls(pages)

    def find(self, needle: str | bytes, *, ignore_case: bool = True) -> list[tuple[str, int]]:
        """(source, page number) of every page whose plaintext contains needle (UTF-8)."""
        raw = needle.encode("utf-8") if isinstance(needle, str) else needle
        if ignore_case:
            raw = raw.lower()
        hits = []
        for page in self.pages:
            text = page.plaintext.lower() if ignore_case else page.plaintext
            if raw in text:
                hits.append((page.source, page.pgno))
        return hits

    def contains(self, needle: str | bytes, *, ignore_case: bool = True) -> bool:
        return bool(self.find(needle, ignore_case=ignore_case))

    @property
    def wal_frames(self) -> int:
        return sum(1 for p in self.pages if p.source == "wal")
