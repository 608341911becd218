"""Literal gates: skip a regular expression when the text lacks every piece of text it needs.

Most diagnosis patterns cannot match without some fixed text ('unknown', '5.7.26', 'spamhaus').
A table row (one reason's patterns joined with '|') is only searched when at least one of those
literals is in the text: a substring test costs a fraction of a regex pass that tries every
alternative at every position. Exact by construction: a literal is taken only from the top level
of a pattern's sequence (or from every branch of a top-level alternation), where any match must
contain it; a pattern with nothing certain gets no gate and its row is always searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:  # the stdlib's own regex parser (re._parser since 3.11); without it nothing is gated
    from re import _parser as _sre_parse
    from re._constants import BRANCH, LITERAL, SUBPATTERN
except ImportError:  # pragma: no cover - a future Python without it: still correct, only slower
    _sre_parse = None


def _flatten(items, flags: int) -> list:
    out = []
    for op, av in items:
        if op is SUBPATTERN and not av[1] and not av[2]:   # a plain group: its items are in line
            out.extend(_flatten(av[3].data, flags))
        else:
            out.append((op, av))
    return out


def _needs(items, flags: int) -> list[tuple[str, ...]]:
    """What every match of `items` contains: a list of requirements, each a tuple of strings one
    of which is in the match ([] when nothing is certain)."""
    needs: list[tuple[str, ...]] = []
    run: list[str] = []
    for op, av in _flatten(items, flags) + [(None, None)]:
        if op is LITERAL:
            run.append(chr(av))
            continue
        if run:
            needs.append(("".join(run),))
            run = []
        if op is BRANCH:
            alts = [_needs(alt.data, flags) for alt in av[1]]
            if alts and all(alts):   # each branch's most telling requirement
                needs.append(tuple(s for a in alts for s in _best(a)))
    return needs


def _best(needs: list[tuple[str, ...]]) -> tuple[str, ...]:
    return max(needs, key=lambda alts: min(len(s) for s in alts))


def literals(pattern: str, flags: int = 0) -> list[tuple[str, ...]]:
    """The gate of one pattern: every requirement must hold; [] means it must always be searched."""
    if _sre_parse is None or flags & re.I:
        return []
    try:
        parsed = _sre_parse.parse(pattern, flags)
    except Exception:
        return []
    if parsed.state.flags & re.I:   # an inline (?i) changes what a literal matches
        return []
    needs = [n for n in _needs(parsed.data, flags) if min(len(s) for s in n) >= 2]
    # longest first: a long literal is the likeliest to be missing, so the test ends soonest
    return sorted(set(needs), key=lambda alts: -min(len(s) for s in alts))


@dataclass(frozen=True)
class Gate:
    """A row may match only if some pattern's requirements all hold. `first` is each pattern's
    longest requirement, pooled: one quick pass that turns most rows away."""
    first: tuple[str, ...]
    patterns: tuple[tuple[tuple[str, ...], ...], ...]


def row_gate(patterns: list[str], flags: int = 0) -> Gate | None:
    """The gate of a joined row; None: always search."""
    rows: list[tuple[tuple[str, ...], ...]] = []
    for p in patterns:
        needs = literals(p, flags)
        if not needs:
            return None
        rows.append(tuple(needs))
    # a pattern that needs everything another needs (and more) adds nothing to the test
    kept = tuple(dict.fromkeys(r for r in rows if not any(o is not r and set(o) < set(r) for o in rows)))
    return Gate(_minimal(s for r in kept for s in r[0]), kept)


def _minimal(strings) -> tuple[str, ...]:
    """Drop a string that contains another of the set: the shorter one is in the text whenever
    the longer one is."""
    kept: list[str] = []
    for s in sorted(set(strings), key=len):
        if not any(k in s for k in kept):
            kept.append(s)
    return tuple(kept)


def may_match(gate: Gate | None, text: str) -> bool:
    if gate is None:
        return True
    for s in gate.first:
        if s in text:
            break
    else:
        return False
    for needs in gate.patterns:
        for alts in needs:
            for s in alts:
                if s in text:
                    break
            else:
                break
        else:
            return True
    return False

