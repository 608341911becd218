"""Short retention wording for tables: the Next-removal countdown cell and plan rows. The words
themselves live in desktop/domain/retention/wording.py; this reads the policies in force."""

from __future__ import annotations

import logging

from desktop.domain.retention.wording import (  # noqa: F401 - the table cells, re-exported
    DASH,
    HELD,
    TARGET_NAMES,
    removal_cell,
    target_text,
    what_word,
)

log = logging.getLogger(__name__)


def policy_words(services) -> dict[str, str]:
    """policy id -> what_word, for the policies in force ({} when they cannot be read)."""
    try:
        return {p.id: what_word(p.what, p.action) for p in services.retention.policies()}
    except Exception as exc:  # noqa: BLE001 - the column then shows the policy id only
        log.warning("retention policies unreadable for the case list: %s", type(exc).__name__)
        return {}
