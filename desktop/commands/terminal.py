"""Terminal output that cannot be turned against the reader (issue 13, escape injection).

A case's technical details, a name or a file name may hold ESC sequences (set the window title,
clear the screen, rewrite earlier lines), C1 controls (a lone 0x9b is CSI to some terminals) or
bidirectional overrides that make text read differently from what it is. The CLI writes
everything through these streams (cli.main installs them on stdout and stderr for every
subcommand), so each such character is shown as a visible escape (`\\x1b`, `\\u202e`) instead of
acting. Newlines and tabs pass; a carriage return passes only at the start of a write (the
progress lines the CLI itself draws). JSON output escapes the same characters as JSON \\u escapes
before it gets here (commands/common.print_json), so it stays valid JSON with the text intact.
"""

from __future__ import annotations

import re
from typing import TextIO

# C0 controls but tab and newline, DEL, C1 controls, and the Unicode format characters that
# reorder or hide text (bidi embeddings, overrides and isolates, zero-width and word joiners).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _shown(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str) -> str:
    return UNSAFE.sub(_shown, text)


def json_escape_unsafe(text: str) -> str:
    """Inside JSON text: the same characters as \\uXXXX escapes (JSON already escapes C0)."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class SafeStream:
    """Wraps a text stream: write() neutralises; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        lead = "\r" if text.startswith("\r") else ""
        self._stream.write(lead + neutralise(text[len(lead):]))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
