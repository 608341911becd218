"""Build a small Outlook .msg (an OLE2 compound file with MAPI property streams) for tests.

Every stream is padded to 4096 bytes so the file needs no mini stream; strings are UTF-16LE and
end in NULs, which readers strip. Enough of the format for olefile and our reader, not for Outlook."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

SECTOR = 512
END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _filetime(dt: datetime) -> int:
    return int((dt - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)


def _entry(name: str, kind: int, left=NOSTREAM, right=NOSTREAM, child=NOSTREAM, start=END, size=0) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", encoded.ljust(64, b"\x00"), len(encoded), kind, 1,
                       left, right, child, b"\x00" * 16, 0, 0, 0, start, size)


def build_msg(*, subject: str, sender_name: str, sender_email: str, body: str, headers: str = "",
              delivered: datetime | None = None, attachments: int = 0) -> bytes:
    streams: dict[str, bytes] = {
        "__substg1.0_0037001F": subject.encode("utf-16-le"),
        "__substg1.0_0C1A001F": sender_name.encode("utf-16-le"),
        "__substg1.0_5D01001F": sender_email.encode("utf-16-le"),
        "__substg1.0_1000001F": body.encode("utf-16-le"),
    }
    if headers:
        streams["__substg1.0_007D001F"] = headers.encode("utf-16-le")
    props = b"\x00" * 32
    if delivered:
        props += struct.pack("<IIQ", 0x0E060040, 6, _filetime(delivered))
    streams["__properties_version1.0"] = props
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    storages = [f"__attach_version1.0_#{i:08X}" for i in range(attachments)]
    padded = {n: streams[n].ljust(max(4096, -(-len(streams[n]) // SECTOR) * SECTOR), b"\x00") for n in names}
    # layout: stream sectors, then directory sectors, then FAT sectors
    starts, sectors = {}, []
    for n in names:
        starts[n] = len(sectors)
        data = padded[n]
        sectors += [data[i:i + SECTOR] for i in range(0, len(data), SECTOR)]
    entries = [None]  # root first
    children = names + storages
    # a right-leaning chain of siblings in sort order (a valid, if unbalanced, tree)
    order = sorted(children, key=lambda n: (len(n), n.upper()))
    ids = {n: i + 1 for i, n in enumerate(order)}
    for i, n in enumerate(order):
        right = ids[order[i + 1]] if i + 1 < len(order) else NOSTREAM
        if n in streams:
            entries.append(_entry(n, 2, right=right, start=starts[n], size=len(padded[n])))
        else:
            entries.append(_entry(n, 1, right=right))
    entries[0] = _entry("Root Entry", 5, child=ids[order[0]] if order else NOSTREAM)
    while len(entries) % 4:
        entries.append(b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + b"\xff" * 12 + b"\x00" * 48)
    dir_start = len(sectors)
    dir_blob = b"".join(entries)
    sectors += [dir_blob[i:i + SECTOR] for i in range(0, len(dir_blob), SECTOR)]
    n_data = len(sectors)
    n_fat = 1
    while (n_data + n_fat) > n_fat * 128:
        n_fat += 1
    fat = []
    for n in names:
        count = len(padded[n]) // SECTOR
        fat += [starts[n] + k + 1 for k in range(count - 1)] + [END]
    dir_count = len(dir_blob) // SECTOR
    fat += [dir_start + k + 1 for k in range(dir_count - 1)] + [END]
    fat += [FATSECT] * n_fat
    fat += [FREE] * (n_fat * 128 - len(fat))
    fat_blob = struct.pack(f"<{len(fat)}I", *fat)
    difat = list(range(n_data, n_data + n_fat)) + [FREE] * (109 - n_fat)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x00" * 16,
                         0x3E, 3, 0xFFFE, 9, 6, b"\x00" * 6, 0, n_fat, dir_start, 0, 4096, END, 0, END, 0)
    header += struct.pack("<109I", *difat)
    return header + b"".join(sectors) + fat_blob
