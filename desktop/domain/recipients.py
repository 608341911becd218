"""Which recipients received a person's data, so only they are told after an erasure,
rectification, restriction or objection (GDPR Art. 19).

Each recipient in the organisation profile says what it receives from the desk ('receives'):
every case, only people who gave marketing consent, or no personal data from the desk (website
analytics, authorities that get data only on a recorded order). A profile saved before this had
no such field: it is read from the recipient's purpose."""

from __future__ import annotations

RECEIVES = {
    "all": "Every case",
    "marketing": "Only people with marketing consent",
    "none": "No personal data from the desk",
}
_NONE_WORDS = ("analytic", "advertis", "ad conversion", "tracking", "usability", "required by law", "court")


def receives(recipient: dict) -> str:
    """'all', 'marketing' or 'none' for one recipient of the profile."""
    value = str(recipient.get("receives") or "").strip()
    if value in RECEIVES:
        return value
    purpose = str(recipient.get("purpose") or "").lower()
    if "marketing" in purpose:
        return "marketing"
    if any(word in purpose for word in _NONE_WORDS):
        return "none"
    return "all"


def to_notify(recipients: list, *, holds_data: bool, marketing_consent: bool) -> list[str]:
    """Names of the recipients that received this person's data: those receiving every case when
    anything was held, plus those receiving marketing contacts when the person ever consented."""
    names = []
    for item in recipients or []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "").strip()
        kind = receives(item)
        if name and holds_data and (kind == "all" or (kind == "marketing" and marketing_consent)):
            names.append(name)
    return names


# What an objection stops, by what a recipient receives: an objection to marketing concerns the
# tools that got the person as a marketing contact; analytics tools get no personal data from the
# desk ('none'), so nobody received anything an analytics objection could stop; any other
# objection concerns every recipient that received the person's data.
_OBJECTION_CONCERNS = {"marketing": ("marketing",), "analytics": (), "other": ("all", "marketing")}


def to_notify_of_objection(recipients: list, kind: str, *, holds_data: bool,
                           marketing_consent: bool) -> list[str]:
    """Names of the recipients to tell about an objection to `kind`: of those that received the
    person's data (to_notify), the ones whose processing the objection is about."""
    concerns = _OBJECTION_CONCERNS.get(kind, ("all", "marketing"))
    received = set(to_notify(recipients, holds_data=holds_data, marketing_consent=marketing_consent))
    names = []
    for item in recipients or []:
        if isinstance(item, dict):
            name = str(item.get("name") or "").strip()
            if name in received and receives(item) in concerns and name not in names:
                names.append(name)
    return names
