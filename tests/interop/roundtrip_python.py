#!/usr/bin/env python3
"""roundtrip_python.py — the Python `email` peer of the libmailbuild round trip.

Usage: roundtrip_python.py DIR [SEED...]
  DIR holds <seed>.eml and <seed>.json as mailbuild_corpus writes them; without seeds every
  pair in DIR is read. Prints one JSON line per message:
    {"seed", "status": "equal" | "divergence" | "mismatch",
     "mismatches": [[field, expected, got]], "divergences": [[field, rule id]]}
  and exits 0 (roundtrip.py judges the lines).

Each message is parsed with email.message_from_bytes(policy=email.policy.default) and every
value the corpus records is compared with what that API gives:
  From/To/Cc      header.groups: display_name, username@domain (username is the local part
                  unquoted), group names and membership
  Subject, the text field, Content-Description: str(header), exactly
  Date            header.datetime: the UTC timestamp and the zone offset
  Message-ID      str(header) without <>
  In-Reply-To, References: the <...> ids in the unfolded field (Python types these fields as
                  plain text; RFC 5322 §3.6.4)
  Keywords        split into phrases with the stdlib's own phrase parser (the one behind
                  display names), as Python gives Keywords as plain text
  parts           the tree (is_multipart / get_payload), get_content_type(), get_content()
                  for text (str) and other leaves (bytes), the nested Message of message/*,
                  get_content_charset(), get_filename(), get_content_disposition(),
                  Content-ID, and the content-type header's params (RFC 2231 decoded).
A difference that DIVERGENCES below explains (Python deviating from an RFC) is counted apart.
"""

import base64
import datetime
import email
import email.policy
import json
import os
import re
import sys
import email._header_value_parser as hvp  # the stdlib's RFC 5322 parser, for Keywords

# Where Python's email is known to deviate from the RFCs, so a difference is not the builder's.
# Each rule names the behaviour and the section; `field` is a regular expression on the field
# path, `test(expected, got)` says whether the difference is that behaviour and nothing else.
def _surrogates_decoded(want, got):
    """RFC 6532 UTF-8 that Python left as surrogate escapes, decoded, equals the value."""
    if not isinstance(got, str) or not any("\udc80" <= ch <= "\udcff" for ch in got):
        return False
    return got.encode("utf-8", "surrogateescape").decode("utf-8", "replace") == want


def _only_spaces_added(want, got):
    """`got` is `want` with single spaces inserted (and nothing else changed)."""
    if not isinstance(want, str) or not isinstance(got, str) or len(got) <= len(want):
        return False
    i = 0
    for ch in got:
        if i < len(want) and ch == want[i]:
            i += 1
        elif ch != " ":
            return False
    return i == len(want)


ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=")
QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
RUN = re.compile(r"[ \t]{2,}|\t")


def raw_runs(raw):
    """Whether the unfolded raw field has a run of spaces or a tab outside its quoted strings
    and encoded words: written so, the run is one space by RFC 5322 §3.2.2."""
    rest = ENCODED_WORD.sub("w", QUOTED.sub("q", raw or ""))
    return RUN.search(rest.strip()) is not None


def _phrase_words(want, got, extra):
    if (extra or {}).get("raw_runs", True):
        return False

    def one(w, g):
        if not isinstance(w, str) or not isinstance(g, str) or w == g:
            return w == g
        w2 = RUN.sub(" ", w)
        return g == w2 or _only_spaces_added(w2, g)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and want != got and all(one(w, g) for w, g in zip(want, got))
    return one(want, got)


DIVERGENCES = [
    # message_from_bytes() with policy.default reads raw UTF-8 in header fields (RFC 6532
    # §3.2, SMTPUTF8) as ASCII with surrogate escapes; the address parser keeps them in
    # display names, local parts, domains and group names.
    {"id": "python-rfc6532-surrogates", "rfc": "RFC 6532 §3.2",
     "field": r"(^|\.)(from|to|cc)\.(\d+\.(name|address)|group\.\d+)$",
     "test": _surrogates_decoded},
    # Encoded words in a phrase (display names, group names; Keywords read with the same
    # parser): Python keeps the folding whitespace between two adjacent encoded words as a
    # space, where RFC 2047 §6.2 drops it; and it makes a run of spaces or a tab that comes
    # from encoded text one space, where an encoded word stands for exactly its characters
    # (RFC 2047 §4, §5 (3)). Only when the raw field has no run outside its encoded words and
    # quoted strings, so a run the builder wrote as plain folding whitespace never qualifies.
    {"id": "python-phrase-encoded-words", "rfc": "RFC 2047 §4, §5 (3), §6.2",
     "field": r"(^|\.)(from|to|cc)\.(\d+\.name|group\.\d+)$|(^|\.)keywords$",
     "test": _phrase_words, "extra": True},
    # A field folded right after its colon ("Subject:" CRLF SP "text") unfolds to
    # "Subject: text" (RFC 5322 §2.2.3), the same as the usual one-line form; Python keeps the
    # folding space as the first character of the value.
    {"id": "python-fold-after-colon", "rfc": "RFC 5322 §2.2.3",
     "field": r"(^|\.)(subject|text_header|description)$",
     "test": lambda want, got, extra: bool((extra or {}).get("fold_after_colon")) and
     isinstance(want, str) and got == " " + want, "extra": True},
    # Message.get_filename() returns the decoded name .strip()ped; RFC 2231 §4 and RFC 2183
    # §2.3 carry the value as given, spaces at either end included.
    {"id": "python-filename-strip", "rfc": "RFC 2231 §4, RFC 2183 §2.3",
     "field": r"\.filename$",
     "test": lambda want, got: isinstance(want, str) and want != want.strip() and got == want.strip()},
]


def unfold(value):
    """RFC 5322 §2.2.3: remove every CRLF that is followed by WSP."""
    return re.sub(r"\r?\n(?=[ \t])", "", value)


def folded_after_colon(msg, name):
    """Whether the first field `name` has nothing but a fold after its colon."""
    for k, v in msg.raw_items():
        if k.lower() == name.lower():
            return re.match(r"[ \t]*\r?\n", v) is not None
    return False


def raw_header(msg, name):
    """The unfolded raw value; raw UTF-8 (RFC 6532), which the parser keeps as surrogate
    escapes, decoded."""
    for k, v in msg.raw_items():
        if k.lower() == name.lower():
            v = v.encode("ascii", "surrogateescape").decode("utf-8", "replace")
            return unfold(v)
    return None


class Compare:
    def __init__(self):
        self.mismatches = []

    def diff(self, field, want, got, extra=None):
        self.mismatches.append([field, want, got, extra])

    def same(self, field, want, got, extra=None):
        if want != got:
            self.diff(field, want, got, extra)


class Unreadable:
    """A field the header parser raised on."""

    def __init__(self, error):
        self.error = "error: %s: %s" % (type(error).__name__, error)

    def __str__(self):
        return self.error


def header(msg, name):
    try:
        return msg[name]
    except Exception as e:  # the header parser raises on some input
        return Unreadable(e)


def count_fields(msg, name):
    return len(msg.get_all(name) or [])


def addresses(c, path, want, msg, name):
    n = count_fields(msg, name)
    if want is None:
        if n:
            c.diff(path, None, "a %s field" % name)
        return
    if n != 1:
        c.diff(path, "one %s field" % name, "%d fields" % n)
        if not n:
            return
    h = header(msg, name)
    if isinstance(h, Unreadable):
        c.diff(path, "a readable field", str(h))
        return
    got_boxes, got_groups = [], []
    try:
        groups = h.groups
    except Exception as e:
        c.diff(path, "a readable field", "error: %s" % e)
        return
    for g in groups:
        gi = -1
        if g.display_name is not None:
            gi = len(got_groups)
            got_groups.append(g.display_name)
        for a in g.addresses:
            got_boxes.append({"name": a.display_name or "",
                              "address": "%s@%s" % (a.username, a.domain), "group": gi})
    extra = {"raw_runs": raw_runs(raw_header(msg, name))}
    boxes = want["mailboxes"]
    if len(boxes) != len(got_boxes):
        c.diff(path + ".count", len(boxes), len(got_boxes))
    for i, (w, g) in enumerate(zip(boxes, got_boxes)):
        for key in ("name", "address", "group"):
            c.same("%s.%d.%s" % (path, i, key), w[key], g[key], extra)
    if len(want["groups"]) != len(got_groups):
        c.diff(path + ".groups", want["groups"], got_groups)
    else:
        for i, (w, g) in enumerate(zip(want["groups"], got_groups)):
            c.same("%s.group.%d" % (path, i), w, g, extra)


def text_field(c, path, want, msg, name):
    n = count_fields(msg, name)
    if want is None:
        if n:
            c.diff(path, None, "a %s field" % name)
        return
    if n != 1:
        c.diff(path, "one %s field" % name, "%d fields" % n)
        if not n:
            return
    c.same(path, want, str(header(msg, name)), {"fold_after_colon": folded_after_colon(msg, name)})


def ids(c, path, want, msg, name):
    raw = raw_header(msg, name)
    if not want:
        if raw is not None:
            c.diff(path, None, raw)
        return
    got = re.findall(r"<([^<>]*)>", raw or "")
    c.same(path, want, got)


def keywords(c, path, want, msg):
    raw = raw_header(msg, "keywords")
    if not want:
        if raw is not None:
            c.diff(path, None, raw)
        return
    got, rest = [], raw or ""
    try:
        while rest.strip():
            tok, rest = hvp.get_display_name(rest)
            got.append(tok.display_name)
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:]
            elif rest:
                got.append("unparsed: " + rest)
                break
    except Exception as e:
        got.append("error: %s" % e)
    c.same(path, want, got, {"raw_runs": raw_runs(raw)})


def date(c, path, want, msg):
    n = count_fields(msg, "date")
    if want is None:
        if n:
            c.diff(path, None, "a Date field")
        return
    h = header(msg, "date")
    dt = getattr(h, "datetime", None)
    if dt is None:
        c.diff(path, want, "no readable Date (%s)" % h)
        return
    off = dt.utcoffset()
    got = {"timestamp": int(dt.replace(tzinfo=dt.tzinfo or datetime.timezone.utc).timestamp()),
           "offset": int(off.total_seconds() // 60) if off is not None else 0}
    c.same(path, want, got)


def message_id(c, path, m, msg):
    h = header(msg, "message-id")
    got = None if h is None else str(h).strip()
    if got is not None and got.startswith("<") and got.endswith(">"):
        got = got[1:-1]
    if m["message_id"] is not None:
        c.same(path, m["message_id"], got)
    elif m["message_id_suffix"] is not None:
        if not got or not got.endswith(m["message_id_suffix"]) or got == m["message_id_suffix"]:
            c.diff(path, "*" + m["message_id_suffix"], got)
    elif got is not None:
        c.diff(path, None, got)


def part_tree(c, path, want, part):
    c.same(path + ".type", want["type"], part.get_content_type())
    kind = want["kind"]
    if want["filename"] is not None or part.get_filename() is not None:
        c.same(path + ".filename", want["filename"], part.get_filename())
    if want["disposition"] is not None:
        c.same(path + ".disposition", want["disposition"], part.get_content_disposition())
    cid = part.get("content-id")
    if cid is not None:
        cid = str(cid).strip()
        cid = cid[1:-1] if cid.startswith("<") and cid.endswith(">") else cid
    c.same(path + ".content_id", want["content_id"], cid)
    desc = part.get("content-description")
    c.same(path + ".description", want["description"], None if desc is None else str(desc),
           {"fold_after_colon": folded_after_colon(part, "content-description")})
    if want["params"]:
        ct = part.get("content-type")
        params = dict(getattr(ct, "params", {}) or {})
        for name, value in want["params"].items():
            c.same("%s.param.%s" % (path, name), value, params.get(name))
    if kind == "multipart":
        if not part.is_multipart() or part.get_content_maintype() != "multipart":
            c.diff(path + ".kind", "multipart", part.get_content_type())
            return
        kids = part.get_payload()
        if len(kids) != len(want["children"]):
            c.diff(path + ".children", len(want["children"]), len(kids))
        for i, (w, k) in enumerate(zip(want["children"], kids)):
            part_tree(c, "%s.%d" % (path, i), w, k)
        return
    if kind == "message":
        payload = part.get_payload()
        if isinstance(payload, list) and len(payload) == 1 and isinstance(payload[0], email.message.Message):
            message(c, path + ".message", want["message"], payload[0])
        else:
            c.diff(path + ".message", "a parsed message", type(payload).__name__)
        return
    body = base64.b64decode(want["body"])
    try:
        got = part.get_content()
    except Exception as e:
        c.diff(path + ".body", "decodable content", "error: %s: %s" % (type(e).__name__, e))
        return
    if kind == "text":
        c.same(path + ".text", body.decode("utf-8"), got)
        c.same(path + ".charset", want["charset"], part.get_content_charset())
    else:
        c.same(path + ".body", body, got if isinstance(got, bytes) else None)


def message(c, path, m, msg):
    p = path + "." if path else ""
    addresses(c, p + "from", m["from"], msg, "from")
    addresses(c, p + "to", m["to"], msg, "to")
    addresses(c, p + "cc", m["cc"], msg, "cc")
    text_field(c, p + "subject", m["subject"], msg, "subject")
    date(c, p + "date", m["date"], msg)
    message_id(c, p + "message_id", m, msg)
    ids(c, p + "in_reply_to", m["in_reply_to"], msg, "in-reply-to")
    ids(c, p + "references", m["references"], msg, "references")
    keywords(c, p + "keywords", m["keywords"], msg)
    if m["text_header"]:
        text_field(c, p + "text_header", m["text_header"]["value"], msg, m["text_header"]["name"])
    c.same(p + "mime_version", "1.0", str(msg.get("mime-version", "")).strip() or None)
    part_tree(c, p + "body", m["body"], msg)


def classify(mismatches):
    """Splits differences into unexplained ones and known peer divergences."""
    left, known = [], []
    for field, want, got, extra in mismatches:
        rule = next((r for r in DIVERGENCES if re.search(r["field"], field) and
                     (r["test"](want, got, extra) if r.get("extra") else r["test"](want, got))),
                    None)
        if rule:
            known.append([field, rule["id"]])
        else:
            left.append([field, want, got])
    return left, known


def printable(v):
    if isinstance(v, bytes):
        return "bytes[%d] %r" % (len(v), v[:80])
    return v


def check(directory, seed):
    with open(os.path.join(directory, "%s.json" % seed), encoding="utf-8") as f:
        rec = json.load(f)
    with open(os.path.join(directory, "%s.eml" % seed), "rb") as f:
        raw = f.read()
    c = Compare()
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        message(c, "", rec["message"], msg)
    except Exception as e:  # a crash on one message is a finding, not the end of the run
        c.diff("parse", "a message", "error: %s: %s" % (type(e).__name__, e))
    left, known = classify(c.mismatches)
    status = "mismatch" if left else "divergence" if known else "equal"
    return {"seed": rec["seed"], "status": status,
            "mismatches": [[f, printable(w), printable(g)] for f, w, g in left],
            "divergences": known}


def seeds_in(directory):
    return sorted(int(n[:-5]) for n in os.listdir(directory) if n.endswith(".json"))


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    directory = argv[0]
    seeds = [int(s) for s in argv[1:]] or seeds_in(directory)
    for seed in seeds:
        sys.stdout.write(json.dumps(check(directory, seed), ensure_ascii=True, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
