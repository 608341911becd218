"""How retention policies read to people: in the access report (a lenient reading of whatever the
setting holds, with the shipped wording when it is absent), in the first-run review of the shipped
defaults, and in the case list's Next-removal column and the sweep plan. Pure; no storage."""

from __future__ import annotations

from desktop.domain.dossier import RetentionPolicy

# Shown when the retention settings are missing: the shipped defaults' wording (DOMAIN.md).
DEFAULT_RETENTION = (
    RetentionPolicy("closed_case", "Closed support case", "365 days after the case is closed", "anonymise",
                    "Long enough to help you again if the problem returns."),
    RetentionPolicy("inactive_case", "Case left open with no activity", "730 days after the last activity",
                    "delete", "A case nobody works on is no longer needed."),
    RetentionPolicy("phone", "Contact number", "30 days after the case is closed", "delete",
                    "Data minimisation: we no longer need to call you."),
    RetentionPolicy("technical_details", "Technical details", "90 days after the case is closed", "delete",
                    "Only needed while diagnosing the problem."),
    RetentionPolicy("diagnosis", "Delivery diagnosis of a bounce", "30 days after the case is closed", "delete",
                    "It names other people's addresses and servers; only needed while we work on the problem."),
    RetentionPolicy("marketing_consent", "Marketing consent",
                    "until you withdraw it; proof kept 3 years after withdrawal", "delete",
                    "To prove that we had your consent."),
    RetentionPolicy("requests", "Data-protection request records", "24 months after completion", "delete",
                    "The law asks us to keep a log of requests (e.g. CCPA regulations 7101)."),
)


def _text(d: dict, *keys: str) -> str:
    for k in keys:
        v = d.get(k)
        if v not in (None, ""):
            return str(v)
    return ""


TRIGGER_WORDS = {
    "case_closed": "the case is closed", "last_activity": "the last activity on the case",
    "consent_withdrawn": "you withdraw your consent", "request_completed": "the request is completed",
    "child_flagged": "we find the record belongs to a child under 13", "received": "we receive it",
}
ACTION_WORDS = {"remove_field": "delete that detail", "delete": "delete", "anonymise": "anonymise"}


def _period(d: dict) -> str:
    text = _text(d, "period_text", "period_label")
    if text:
        return text
    raw_trigger = _text(d, "trigger_label", "trigger", "after", "starts")
    trigger = TRIGGER_WORDS.get(raw_trigger, raw_trigger.replace("_", " "))
    amount = d.get("period", d.get("period_days", d.get("days")))
    unit = _text(d, "unit") or "days"
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        if amount == 0:
            return f"removed at the next check after {trigger}" if trigger else "removed at the next check"
        return f"{int(amount)} {unit} after {trigger}" if trigger else f"{int(amount)} {unit}"
    return " ".join(x for x in (str(amount or ""), f"after {trigger}" if trigger else "") if x) or "see reason"


def retention_policies(value: object) -> tuple[RetentionPolicy, ...]:
    """Read the 'retention' setting, whatever its exact shape ({"policies": [...]} or
    {"policies": {name: {...}}} or {name: {...}}); the shipped wording when it is absent."""
    if not isinstance(value, dict) or not value:
        return DEFAULT_RETENTION
    items = value.get("policies", value)
    pairs: list[tuple[str, dict]] = []
    if isinstance(items, list):
        pairs = [(_text(p, "key", "name", "id"), p) for p in items if isinstance(p, dict)]
    elif isinstance(items, dict):
        pairs = [(str(k), p) for k, p in items.items() if isinstance(p, dict)]
    out = []
    for key, p in pairs:
        label = _text(p, "label", "title", "category", "description") or key.replace("_", " ").capitalize()
        action = _text(p, "action")
        out.append(RetentionPolicy(key, label, _period(p), ACTION_WORDS.get(action, action.replace("_", " ")),
                                   _text(p, "reason", "why")))
    return tuple(out) or DEFAULT_RETENTION


def review_rows(defaults: dict) -> list[tuple[str, str, str, str]]:
    """(label, period, action, reason) of each policy in a defaults file, for the first-run review."""
    rows = []
    for p in defaults.get("policies") or []:
        unit = str(p.get("unit", "days"))
        period = int(p.get("period", 0))
        rows.append((str(p.get("label", p.get("id", ""))),
                     "at the next sweep" if period == 0 else f"{period} {unit}",
                     str(p.get("action", "")).replace("_", " "), str(p.get("reason", ""))))
    return rows


# ---- table cells ----------------------------------------------------------------------------------
DASH = "—"
HELD = "held"
TARGET_NAMES = {"case": "Case", "consent": "Consent", "request": "Request", "subject": "Person"}


def what_word(what: str, action: str) -> str:
    """What a policy removes, in a word or two: 'anonymise', 'delete', 'phone', 'technical details'."""
    if what == "case":
        return "anonymise" if action == "anonymise" else "delete"
    return what.replace("_", " ")


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
