"""Shared bits for the security tests."""

from __future__ import annotations

import hashlib
from pathlib import Path

from desktop.cli import main


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def flip_middle(path: Path, count: int = 64) -> None:
    """Flip bytes in the middle of the file (inside a page, away from the header page)."""
    data = bytearray(Path(path).read_bytes())
    mid = len(data) // 2
    for i in range(count):
        data[mid + i] ^= 0xA5
    Path(path).write_bytes(bytes(data))


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def siblings(path: Path) -> set[str]:
    return {p.name for p in Path(path).parent.iterdir()}
