#!/usr/bin/env python3
"""compare.py — differential test of libmailparse (mailparse-dump --json) against Python's `email`
and npm `mailparser` over the SpamAssassin public corpus (6,046 messages).

Usage: compare.py [--setup] [--cache DIR] [--corpus DIR] [--report FILE] [--limit N] [--timeout S]
                  [MAILPARSE_DUMP]
  --setup    run setup.sh first (installs corpus and npm peer; exit 77 = skip when that fails)
  --corpus   the corpus data directory (holding file_list.json); default: from setup.sh
  --report   where to write every disagreement (default: interop-report.txt in the cache dir)
  Without MAILPARSE_DUMP only the two peers are compared.

Prints per-field agreement for each pair and "where the peers agree, ours agrees on X/Y", then
"N passed, N failed, N skipped": a message passes when ours agrees with the peers on every field
the peers agree on. Exits 1 when that rate is below 99.5 %, 77 when the corpus or a peer is missing.
See README.md for the normalization rules.
"""

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PASS_THRESHOLD = 99.5          # percent of messages (where peers agree) ours must match
DUMP_TIMEOUT = 60              # default seconds for one mailparse-dump call (--timeout)
SHOW_CHARS = 160               # characters of each value shown in the report
SKIP = 77

FIELDS = ("subject", "from.addr", "from.name", "to.addr", "to.name", "cc.addr", "cc.name",
          "date", "message_id", "attachments.count", "attachments.names", "text")
PAIRS = (("ours", "python"), ("ours", "mailparser"), ("python", "mailparser"))
WS = re.compile(r"\s+")
SURROGATE = re.compile("[\udc80-\udcff]")   # Python's stand-in for an undecodable byte
NON_ASCII = re.compile("[^\x00-\x7f]+")


# ---------------------------------------------------------------- normalization

def collapse(s, lossy=False):
    """Whitespace runs (any Unicode space, CR/LF, tab) become one space; ends trimmed; None -> ''.
    `lossy` first turns every non-ASCII character into U+FFFD (see same_lossy)."""
    if not s:
        return ""
    s = NON_ASCII.sub("\ufffd", s) if lossy else SURROGATE.sub("\ufffd", s)
    return WS.sub(" ", s).strip()


def msgid(value):
    """The id inside the first <...> when there is one (what follows is CFWS), else the value."""
    v = collapse(value)
    m = re.match(r"<([^>]*)>", v)
    return m.group(1).strip() if m else v.strip("<>").strip()


def normalize(rec, lossy=False):
    """A peer record (file, subject, from/to/cc [[name, addr]], date, message_id, attachments,
    text) as the comparable field values of FIELDS."""
    out = {"subject": collapse(rec.get("subject"), lossy),
           "date": rec.get("date") or None,
           "message_id": msgid(rec.get("message_id"))}
    for field in ("from", "to", "cc"):
        pairs = rec.get(field) or []
        out[field + ".addr"] = [collapse(a, lossy).lower() for _, a in pairs]
        out[field + ".name"] = [collapse(n, lossy).strip('"').strip() for n, _ in pairs]
    names = rec.get("attachments") or []
    out["attachments.count"] = len(names)
    out["attachments.names"] = sorted(collapse(n, lossy) for n in names)
    out["text"] = collapse(rec.get("text"), lossy) or None
    return out


def has_replacement(value):
    if isinstance(value, list):
        return any(has_replacement(v) for v in value)
    return isinstance(value, str) and "\ufffd" in value


def same_lossy(recs, field, agreed):
    """Where the agreeing peers hold U+FFFD (bytes they could not decode: 8-bit text with no or
    a wrong charset), ours may hold other non-ASCII text there (it decodes such bytes with a
    fallback charset): compare with every run of non-ASCII characters as one U+FFFD."""
    if not has_replacement(agreed):
        return False
    return normalize(recs["ours"], True)[field] == normalize(recs["python"], True)[field]


def strip_envelope(data):
    """Drops a first line starting with "From " (mbox envelope), as both peer scripts do."""
    if data.startswith(b"From "):
        nl = data.find(b"\n")
        return b"" if nl < 0 else data[nl + 1:]
    return data


# ---------------------------------------------------------------- running the three parsers

def run_peer(cmd, paths):
    """Runs a peer over every path (given on stdin); returns {path: record}."""
    proc = subprocess.run(cmd + ["-"], input="\n".join(paths) + "\n", capture_output=True,
                          text=True, encoding="utf-8", check=False)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (cmd[0], proc.returncode, proc.stderr[-500:]))
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return {r["file"]: r for r in records}


TEXT_TYPES = ("text/plain", "text/html")


def leaf_parts(parts):
    """Ours' leaf parts in order, as the peers walk them: a message/* part is one leaf."""
    roots = [p for p in parts.values() if p.get("parent", -1) == -1]
    stack = roots[:1]
    while stack:
        p = stack.pop()
        kids = [parts[c] for c in p.get("children") or [] if c in parts]
        if p.get("content_type", "").lower().startswith("multipart/") and kids:
            stack.extend(reversed(kids))
        elif not p.get("content_type", "").lower().startswith("multipart/"):
            yield p


def is_attachment(part):
    """The peers' rule (see peer_python.py); ours' own `attachments` list follows RFC 8621."""
    disposition = (part.get("disposition") or "").lower()
    return (part.get("content_type", "").lower() not in TEXT_TYPES
            or disposition not in ("", "inline"))


def ours_record(path, obj):
    """mailparse-dump's JSON object (with --bodies) as a peer record. The text is that of the
    text/plain parts of ours' text body; attachments are counted by the peers' rule."""
    parts = {p.get("id"): p for p in obj.get("parts") or []}
    plain = [parts[i] for i in obj.get("text_body") or [] if i in parts
             and parts[i].get("content_type", "").lower() == "text/plain"]
    rec = {"file": path, "subject": obj.get("subject"), "date": obj.get("date"),
           "message_id": obj.get("message_id"),
           "attachments": [p.get("filename") for p in leaf_parts(parts) if is_attachment(p)],
           "text": "\n".join(p.get("text") or "" for p in plain) if plain else None}
    for field in ("from", "to", "cc"):
        rec[field] = [[a.get("name") or "", (a.get("address") or "").lower()]
                      for a in obj.get(field) or []]
    return rec


def run_ours_one(dump, path, timeout):
    with open(path, "rb") as f:
        data = strip_envelope(f.read())
    try:
        proc = subprocess.run([dump, "--json", "--bodies", "-"], input=data, capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"file": path, "error": "timeout after %g s" % timeout}
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return {"file": path, "error": "exit %d: %s" % (proc.returncode, err[0][:200])}
    lines = proc.stdout.decode("utf-8", "strict").splitlines()
    if len(lines) != 1:
        return {"file": path, "error": "%d JSON lines, expected 1" % len(lines)}
    try:
        return ours_record(path, json.loads(lines[0]))
    except (ValueError, AttributeError, TypeError) as e:
        return {"file": path, "error": "bad JSON: %s" % e}


def run_ours(dump, paths, jobs, timeout):
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(zip(paths, pool.map(lambda p: run_ours_one(dump, p, timeout), paths)))


def run_all(dump, paths, node, timeout):
    """The three parsers side by side (peers as background processes, ours in worker threads)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        py = pool.submit(run_peer, [sys.executable, os.path.join(HERE, "peer_python.py")], paths)
        mp = pool.submit(run_peer, [node, os.path.join(HERE, "peer_mailparser.js")], paths)
        jobs = max(1, (os.cpu_count() or 2) - 1)
        ours = run_ours(dump, paths, jobs, timeout) if dump else None
        return {"python": py.result(), "mailparser": mp.result(), "ours": ours}


# ---------------------------------------------------------------- comparing

def applicable(field, peers):
    """A text body is compared only where both peers found one in a text/plain part."""
    return field != "text" or all(p["text"] is not None for p in peers)


class Tally:
    def __init__(self):
        self.pair = {f: {p: [0, 0] for p in PAIRS} for f in FIELDS + ("message",)}
        self.agreed = {f: [0, 0] for f in FIELDS + ("message",)}
        self.lossy = {f: 0 for f in FIELDS}
        self.passed = self.failed = self.skipped = 0

    def count(self, table, key, same):
        table[key][0] += same
        table[key][1] += 1


def show(value):
    s = json.dumps(value, ensure_ascii=False)
    return s if len(s) <= SHOW_CHARS else s[:SHOW_CHARS] + "…"


def show_three(vals):
    """The three values; for long strings a window around where ours and the peers first differ."""
    strs = [v for v in vals.values() if isinstance(v, str)]
    if len(strs) == len(vals) and max(len(s) for s in strs) > SHOW_CHARS:
        first = min(next((i for i, (a, b) in enumerate(zip(s, vals["python"])) if a != b),
                         min(len(s), len(vals["python"]))) for s in strs)
        start = max(0, first - 40)
        cut = slice(start, start + SHOW_CHARS - 20)
        vals = {k: ("…" if start else "") + v[cut] for k, v in vals.items()}
    return "  ".join("%s=%s" % (k, show(v)) for k, v in vals.items())


def compare_message(rel, recs, tally, report):
    norm = {k: normalize(r) for k, r in recs.items()}
    have_ours = "ours" in norm
    peers = (norm["python"], norm["mailparser"])
    whole = {p: True for p in PAIRS}
    agreed_fields = bad_fields = 0
    for field in FIELDS:
        if not applicable(field, peers):
            continue
        vals = {k: norm[k][field] for k in norm}
        for a, b in PAIRS:
            if a in vals and b in vals:
                same = vals[a] == vals[b]
                whole[(a, b)] &= same
                tally.count(tally.pair[field], (a, b), same)
        peers_agree = vals["python"] == vals["mailparser"]
        if have_ours and peers_agree:
            agreed_fields += 1
            ok = vals["ours"] == vals["python"]
            if not ok and same_lossy(recs, field, vals["python"]):
                ok = True
                tally.lossy[field] += 1
            tally.count(tally.agreed, field, ok)
            if not ok:
                bad_fields += 1
                report["ours"].append("%s\t%s\t%s" % (rel, field, show_three(vals)))
        elif not peers_agree:
            report["peers"].append("%s\t%s\t%s" % (rel, field, show_three(vals)))
    for pair, same in whole.items():
        if pair[0] in norm:
            tally.count(tally.pair["message"], pair, same)
    if have_ours and agreed_fields:
        tally.count(tally.agreed, "message", bad_fields == 0)
        tally.passed += bad_fields == 0
        tally.failed += bad_fields != 0
    else:
        tally.skipped += 1


def compare_all(results, rels, paths, tally, report):
    for rel, path in zip(rels, paths):
        recs = {k: v[path] for k, v in results.items() if v is not None}
        errors = {k: r["error"] for k, r in recs.items() if "error" in r}
        if any(k != "ours" for k in errors):
            tally.skipped += 1
            report["errors"].append("%s\tpeer error\t%s" % (rel, errors))
        elif "ours" in errors:
            tally.failed += 1
            report["ours"].append("%s\t(message)\tours failed: %s" % (rel, errors["ours"]))
        else:
            compare_message(rel, recs, tally, report)


# ---------------------------------------------------------------- output

def pct(ok, n):
    return "%d/%d (%.2f%%)" % (ok, n, 100.0 * ok / n) if n else "0/0 (-)"


def print_summary(tally, with_ours, out):
    names = ["%s~%s" % p for p in PAIRS if with_ours or "ours" not in p]
    out.write("%-18s" % "field" + "".join("%-24s" % n for n in names)
              + ("peers agree: ours agrees" if with_ours else "") + "\n")
    for field in FIELDS + ("message",):
        row = "%-18s" % field
        for p in PAIRS:
            if with_ours or "ours" not in p:
                row += "%-24s" % pct(*tally.pair[field][p])
        if with_ours:
            row += pct(*tally.agreed[field])
            if tally.lossy.get(field):
                row += ", %d of them up to undecodable bytes" % tally.lossy[field]
        out.write(row + "\n")


def write_report(path, report):
    with open(path, "w", encoding="utf-8") as f:
        for title, key in (("ours disagrees with both peers (they agree)", "ours"),
                           ("the peers disagree (not counted against ours)", "peers"),
                           ("a peer failed (message skipped)", "errors")):
            f.write("## %s: %d\n" % (title, len(report[key])))
            f.writelines(line + "\n" for line in report[key])
            f.write("\n")


# ---------------------------------------------------------------- setup and main

def run_setup(cache):
    proc = subprocess.run(["sh", os.path.join(HERE, "setup.sh"), cache], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        print("interop: setup failed (exit %d); skipping" % proc.returncode)
        sys.exit(SKIP)
    return proc.stdout.strip().splitlines()[-1]


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--setup", action="store_true")
    ap.add_argument("--cache", default=os.environ.get("LIBMAIL_INTEROP_CACHE") or
                    os.path.join(HERE, "..", "..", "build", "interop-cache"))
    ap.add_argument("--corpus")
    ap.add_argument("--report")
    ap.add_argument("--node", default="node")
    ap.add_argument("--limit", type=int, default=0, help="only the first N messages")
    ap.add_argument("--timeout", type=float, default=DUMP_TIMEOUT, help="seconds per message")
    ap.add_argument("dump", nargs="?")
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    corpus = args.corpus or (run_setup(args.cache) if args.setup else
                             os.path.join(args.cache, "spam-assassin-0.2.3", "package", "data"))
    listing = os.path.join(corpus, "file_list.json")
    if not os.path.isfile(listing):
        print("interop: no corpus at %s (run setup.sh); skipping" % corpus)
        return SKIP
    with open(listing, encoding="utf-8") as f:
        rels = json.load(f)[:args.limit or None]
    paths = [os.path.join(corpus, r) for r in rels]
    try:
        results = run_all(args.dump, paths, args.node, args.timeout)
    except (OSError, RuntimeError) as e:
        print("interop: a peer could not run (%s); skipping" % e)
        return SKIP
    tally, report = Tally(), {"ours": [], "peers": [], "errors": []}
    compare_all(results, rels, paths, tally, report)
    report_path = args.report or os.path.join(args.cache, "interop-report.txt")
    return conclude(tally, report, report_path, args.dump is not None, len(paths))


def conclude(tally, report, report_path, with_ours, count):
    """Writes the report and the summary; the exit status."""
    os.makedirs(os.path.dirname(os.path.abspath(report_path)), exist_ok=True)
    write_report(report_path, report)
    print_summary(tally, with_ours, sys.stdout)
    print("disagreements listed in %s" % report_path)
    if not with_ours:
        print("peers only: %d messages compared" % count)
        return 0
    print("%d passed, %d failed, %d skipped" % (tally.passed, tally.failed, tally.skipped))
    judged = tally.passed + tally.failed
    return 0 if judged and 100.0 * tally.passed / judged >= PASS_THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
