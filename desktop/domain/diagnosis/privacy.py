"""What of a diagnosis is shown or kept: third parties' addresses (the final recipients of a
bounce) have their local part masked unless the desk's setting says otherwise; the case owner
(the customer) is not a third party."""

from __future__ import annotations

from dataclasses import asdict

from desktop.domain.diagnosis.model import Diagnosis


def mask_address(address: str) -> str:
    """'jane.doe@example.com' -> '***@example.com' (the domain is what a diagnosis needs)."""
    if "@" not in address:
        return "***" if address else ""
    return "***@" + address.rsplit("@", 1)[1]


def diagnosis_record(d: Diagnosis, *, mask: bool = True) -> dict:
    """The diagnosis as plain data for JSON output, storage and reports; recipients masked when
    mask is set (in the fields and in diagnostic/evidence text)."""
    data = asdict(d)
    if not mask:
        return data
    addresses = sorted({r.recipient for r in d.recipients if r.recipient} | ({d.recipient} if d.recipient else set()),
                       key=len, reverse=True)
    owner = d.case_owner.lower()
    addresses = [a for a in addresses if a.lower() != owner]

    def hide(text: str) -> str:
        for a in addresses:
            text = text.replace(a, mask_address(a))
        return text

    data["recipient"] = mask_address(d.recipient) if d.recipient and d.recipient.lower() != owner else d.recipient
    for r in data["recipients"]:
        if r["recipient"].lower() != owner:
            r["recipient"] = mask_address(r["recipient"])
        r["diagnostic"] = hide(r["diagnostic"])
    data["diagnostic"] = hide(d.diagnostic)
    data["evidence"] = [hide(e) for e in d.evidence]
    return data


def cli_record(d: Diagnosis, *, mask: bool = True) -> dict:
    """The `diagnose --json` object: the documented keys first, then the rest."""
    full = diagnosis_record(d, mask=mask)
    head = {k: full[k] for k in ("category", "reason", "reason_label", "status", "reply_code", "permanent",
                                 "remote_mta", "reporting_mta", "recipient", "evidence", "explanation",
                                 "next_steps", "action", "diagnostic", "arrival_date", "blocklist", "case_owner",
                                 "kind")}
    head["recipients"] = full["recipients"]
    head["headers"] = full["headers"]
    head["warnings"] = full["warnings"]
    return head
