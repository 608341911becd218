"""Amazon SES bounce and complaint notifications (JSON, directly or wrapped in an SNS envelope)."""

from __future__ import annotations

import json

from desktop.domain.diagnosis.dsn import diagnostic_of, mta_of

SUBTYPE_REASONS = {
    "noemail": "user_unknown", "mailboxfull": "mailbox_full", "messagetoolarge": "too_large",
    "contentrejected": "spam_content", "attachmentrejected": "spam_content", "suppressed": "user_unknown",
    "onaccountsuppressionlist": "user_unknown",
}


def load_notification(text: str) -> dict | None:
    """The SES notification object, or None when the text is not one."""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("Message"), str) and obj.get("Type") in ("Notification", None):
        try:
            inner = json.loads(obj["Message"])
        except ValueError:
            return None
        obj = inner if isinstance(inner, dict) else obj
    kind = obj.get("notificationType") or obj.get("eventType")
    return obj if kind in ("Bounce", "Complaint", "Delivery", "DeliveryDelay") else None


def recipients(obj: dict) -> list[dict]:
    """Per-recipient rows: recipient, action, status, diagnostic, remote_mta, subtype_reason."""
    kind = obj.get("notificationType") or obj.get("eventType")
    rows = []
    if kind == "Bounce":
        b = obj.get("bounce") or {}
        subtype = str(b.get("bounceSubType", "")).lower()
        for r in b.get("bouncedRecipients") or []:
            if not isinstance(r, dict):
                continue
            rows.append({
                "recipient": str(r.get("emailAddress", "")),
                "action": str(r.get("action", "failed")),
                "status": str(r.get("status", "")),
                "diagnostic": diagnostic_of(str(r.get("diagnosticCode", ""))),
                "remote_mta": mta_of(str(b.get("remoteMtaIp", ""))),
                "subtype_reason": SUBTYPE_REASONS.get(subtype, ""),
                "permanent": str(b.get("bounceType", "")).lower() == "permanent",
            })
    elif kind == "DeliveryDelay":
        d = obj.get("deliveryDelay") or {}
        for r in d.get("delayedRecipients") or []:
            if isinstance(r, dict):
                rows.append({"recipient": str(r.get("emailAddress", "")), "action": "delayed",
                             "status": str(r.get("status", "")),
                             "diagnostic": diagnostic_of(str(r.get("diagnosticCode", ""))),
                             "remote_mta": mta_of(str(d.get("reportingMTA", ""))),
                             "subtype_reason": "", "permanent": False})
    return rows


def common(obj: dict) -> dict:
    mail = obj.get("mail") or {}
    headers = mail.get("commonHeaders") or {}
    frm = headers.get("from") or []
    block = obj.get("bounce") or obj.get("complaint") or obj.get("deliveryDelay") or obj.get("delivery") or {}
    return {
        "kind": obj.get("notificationType") or obj.get("eventType"),
        "sender": str(mail.get("source", "")) or (str(frm[0]) if frm else ""),
        "subject": str(headers.get("subject", "")),
        "message_id": str(headers.get("messageId", "") or mail.get("messageId", "")),
        "reporting_mta": mta_of(str(block.get("reportingMTA", ""))),
        "arrival": str(block.get("timestamp", "") or mail.get("timestamp", "")),
        "bounce_type": str(block.get("bounceType", "")),
        "bounce_subtype": str(block.get("bounceSubType", "")),
        "feedback_type": str(block.get("complaintFeedbackType", "")),
    }
