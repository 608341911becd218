"""Modules that a dependency imports at load time but the app does not use: load them on first use.

keyring imports jaraco.context, which imports urllib.request at its top (for a download helper the
app never calls), and with it http.client, ssl and the email parser; and keyring imports
importlib_metadata, which only its backend discovery uses. Together about 50 ms of every start
(measured with -X importtime on the 2-core development VM) and a few MiB. jaraco.functools imports
more_itertools for use inside one function keyring never calls: about 370 KiB of code objects in
the window. (backports.tarfile, also imported by jaraco.context, cannot wait: that module reads
tarfile.data_filter at its top.)

defer(name) puts a stand-in module under that name. The first attribute read from it (by code
that really uses the module) imports the real module, which then replaces it everywhere it is
looked up: in sys.modules, on its parent package, and in the stand-in itself, so a reference kept
by the importing code works too. A module already imported is left alone.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types

_lock = threading.RLock()
UNUSED_BY_KEYRING = ("urllib.request", "importlib_metadata", "more_itertools")


class _Deferred(types.ModuleType):
    """Stands in for a module until its first attribute read (only missing attributes come here)."""

    def __getattr__(self, attr: str):
        return getattr(_load(self), attr)


def _load(stub: _Deferred) -> types.ModuleType:
    name = stub.__name__
    with _lock:
        if sys.modules.get(name) is stub:
            del sys.modules[name]
        real = importlib.import_module(name)  # also sets it on the parent package
        stub.__dict__.update(real.__dict__)  # later reads through the stand-in find it directly
    return real


def defer(name: str) -> None:
    with _lock:
        if name in sys.modules:
            return
        parent, _, child = name.rpartition(".")
        stub = _Deferred(name)
        stub.__spec__ = None  # an `import name` statement then takes the stand-in as loaded
        sys.modules[name] = stub
        if parent:
            setattr(importlib.import_module(parent), child, stub)


def defer_unused_by_keyring() -> None:
    for name in UNUSED_BY_KEYRING:
        defer(name)
