"""Authentication headers (RFC 8601 Authentication-Results, RFC 8617 ARC, RFC 7208 Received-SPF),
DKIM d= against the From domain (RFC 7489 relaxed alignment from the headers alone) and the
Received chain with hop delays. Offline: nothing is looked up in DNS."""

from __future__ import annotations

import re
from email.message import Message

from desktop.domain.diagnosis.dates import parse_date
from desktop.domain.diagnosis.mime import hall, header_index, hget, mailbox_of
from desktop.domain.diagnosis.model import AuthCheck, HeaderReport, Hop

# Public suffixes with two labels common in mail; without the full list this keeps
# "example.co.uk" and "mail.example.co.uk" in one organisational domain.
TWO_LABEL_SUFFIXES = frozenset("""
co.uk org.uk ac.uk gov.uk me.uk ltd.uk plc.uk com.au net.au org.au edu.au gov.au co.nz org.nz
co.jp ne.jp or.jp ac.jp co.in net.in org.in co.za org.za com.br net.br com.cn net.cn com.mx
com.tr com.sg com.hk com.tw co.kr co.il com.ar com.my com.ph com.vn com.ua com.pl co.id
""".split())

# "\bby\s+..." and "\bfrom\s+...", with the word boundary checked after the word (the same matches;
# the engine then looks for the word itself instead of trying every position)
BY = re.compile(r"by(?<!\wby)\s+([^\s;()]+)")
FROM = re.compile(r"from(?<!\wfrom)\s+([^\s;()]+)")
METHOD = re.compile(r"^\s*([a-z][\w-]*)\s*=\s*([\w-]+)(.*)$", re.I | re.S)


def _strip_comments(text: str) -> str:
    out, depth = [], 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def org_domain(domain: str) -> str:
    labels = domain.lower().strip(".").split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in TWO_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def aligned(a: str, b: str) -> bool:
    return bool(a and b) and org_domain(a) == org_domain(b)


def parse_auth_results(value: str, source: str) -> list[AuthCheck]:
    parts = [p.strip() for p in _strip_comments(" ".join(value.split())).split(";")]
    if parts and re.fullmatch(r"i\s*=\s*\d+", parts[0]):      # ARC-Authentication-Results
        parts = parts[1:]
    if not parts:
        return []
    server = parts[0].split()[0] if parts[0] else ""
    checks = []
    for p in parts[1:]:
        m = METHOD.match(p)
        if not m:
            continue
        method, result, rest = m.group(1).lower(), m.group(2).lower(), m.group(3)
        props = " ".join(re.findall(r"(?:header|smtp|policy|body)\.[\w-]+=\S+", rest))
        checks.append(AuthCheck(method, result, f"{source} {server}".strip(), props))
    return checks


def _prop(detail: str, *names: str) -> str:
    for name in names:
        m = re.search(re.escape(name) + r"=(\S+)", detail)
        if m:
            v = m.group(1).strip("\"';")
            return v.rsplit("@", 1)[-1].lower()
    return ""


def _mailbox_domain(msg: Message, name: str) -> str:
    """The domain of a header's first address (read as written, kept on the message)."""
    address = mailbox_of(msg, name)[1]
    return address.rsplit("@", 1)[1].strip(">").lower() if "@" in address else ""


def received_hops(msg: Message) -> tuple[Hop, ...]:
    hops, previous = [], None
    for value in reversed(hall(msg, "Received")):
        text = " ".join(str(value).split())
        by = BY.search(text)
        frm = FROM.search(text)
        when, delay = "", None
        if ";" in text:
            dt = parse_date(text.rsplit(";", 1)[1].strip())
            if dt is not None and dt.tzinfo is not None:
                when = dt.isoformat()
                if previous is not None:
                    delay = (dt - previous).total_seconds()
                previous = dt
        hops.append(Hop(by.group(1) if by else "", frm.group(1) if frm else "", when, delay))
    return tuple(hops)


_SPAM_HEADERS = ("x-spam-flag", "x-spam-status", "x-ms-exchange-organization-scl", "x-forefront-antispam-report")


def spam_verdict(msg: Message) -> str:
    index = header_index(msg)
    if not any(name in index for name in _SPAM_HEADERS):   # most mail carries none of them
        return ""
    flag = str(hget(msg, "X-Spam-Flag") or "").strip().lower()
    status = str(hget(msg, "X-Spam-Status") or "").strip().lower()
    if flag == "yes" or status.startswith("yes"):
        return "X-Spam: " + (str(hget(msg, "X-Spam-Status") or "") or "Flag YES")[:120]
    scl = str(hget(msg, "X-MS-Exchange-Organization-SCL") or "").strip()
    if scl.lstrip("-").isdigit() and int(scl) >= 5:
        return f"X-MS-Exchange-Organization-SCL: {scl}"
    forefront = str(hget(msg, "X-Forefront-Antispam-Report") or "")
    if re.search(r"SFV:SPM|SFV:SKS", forefront):
        return "X-Forefront-Antispam-Report: " + re.search(r"SFV:\w+", forefront).group(0)
    return ""


def header_report(msg: Message | None) -> HeaderReport:
    if msg is None:
        return HeaderReport()
    checks: list[AuthCheck] = []
    for name in ("Authentication-Results", "ARC-Authentication-Results"):
        for value in hall(msg, name):
            checks.extend(parse_auth_results(str(value), name))
    for value in hall(msg, "Received-SPF"):
        text = " ".join(str(value).split())
        m = re.match(r"^\s*(\w+)", text)
        if m:
            checks.append(AuthCheck("spf", m.group(1).lower(), "Received-SPF",
                                    " ".join(re.findall(r"envelope-from=\S+", text))))
    from_domain = _mailbox_domain(msg, "From")
    dkim_domains = []
    for sig in hall(msg, "DKIM-Signature"):
        m = re.search(r"(?:^|;)\s*d\s*=\s*([^;\s]+)", " ".join(str(sig).split()))
        if m:
            dkim_domains.append(m.group(1).lower())
    dkim_pass = [_prop(c.detail, "header.d", "header.i") for c in checks if c.method == "dkim" and c.result == "pass"]
    spf = next((c for c in checks if c.method == "spf"), None)
    spf_domain = _prop(spf.detail, "smtp.mailfrom", "envelope-from") if spf else ""
    if not spf_domain:
        spf_domain = _mailbox_domain(msg, "Return-Path")
    dkim_aligned = any(aligned(d, from_domain) for d in dkim_domains) if dkim_domains and from_domain else None
    spf_aligned = aligned(spf_domain, from_domain) if spf_domain and from_domain else None
    dmarc = next((c.result for c in checks if c.method == "dmarc"), "")
    if not dmarc and from_domain and (checks or dkim_domains):
        dkim_ok = any(aligned(d, from_domain) for d in dkim_pass if d)
        spf_ok = bool(spf and spf.result == "pass" and spf_aligned)
        if dkim_ok or spf_ok:
            dmarc = "pass"
        elif checks:
            dmarc = "fail"
    return HeaderReport(tuple(checks), from_domain, tuple(dkim_domains), dkim_aligned, spf_domain,
                        spf_aligned, dmarc, received_hops(msg), spam_verdict(msg))
