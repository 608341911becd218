"""Short retention wording for tables: the Next-removal countdown cell and plan rows."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

DASH = "—"
HELD = "held"
TARGET_NAMES = {"case": "Case", "consent": "Consent", "request": "Request", "subject": "Person"}


def what_word(what: str, action: str) -> str:
    """What a policy removes, in a word or two: 'anonymise', 'delete', 'phone', 'technical details'."""
    if what == "case":
        return "anonymise" if action == "anonymise" else "delete"
    return what.replace("_", " ")


def policy_words(services) -> dict[str, str]:
    """policy id -> what_word, for the policies in force ({} when they cannot be read)."""
    try:
        return {p.id: what_word(p.what, p.action) for p in services.retention.policies()}
    except Exception as exc:  # noqa: BLE001 - the column then shows the policy id only
        log.warning("retention policies unreadable for the case list: %s", type(exc).__name__)
        return {}


def removal_cell(removal_at: str | None, policy_id: str | None, word: str | None, on_hold: bool) -> str:
    """'2027-01-05 · phone (phone-after-close)', 'held' for a legal hold, '—' when nothing is due."""
    if on_hold:
        return HELD
    if not removal_at:
        return DASH
    date = removal_at[:10]
    if word and policy_id:
        return f"{date} · {word} ({policy_id})"
    return f"{date} ({policy_id})" if policy_id else date


def target_text(kind: str, target_id: int) -> str:
    return f"{TARGET_NAMES.get(kind, kind.capitalize())} {target_id}"
