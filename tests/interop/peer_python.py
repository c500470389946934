#!/usr/bin/env python3
"""peer_python.py — the Python `email` peer (stdlib, policy.default): one JSON line per message.

Usage: peer_python.py FILE...   or   peer_python.py -   (paths on stdin)
Each line: {"file", "subject", "from", "to", "cc" ([[name, address]]), "date" (UTC ISO or null),
"message_id" (as written), "attachments" ([filename]), "text" (the first text/plain body, or null)}.
A first line starting with "From " (mbox envelope) is skipped, exactly as in peer_mailparser.js.
Attachments follow the common client rule (mailparser's): every leaf part that is not text/plain or
text/html, or has a Content-Disposition other than inline; a message/* part is one leaf.
"""

import datetime
import email
import email.policy
import json
import sys

TEXT_TYPES = ("text/plain", "text/html")


def strip_envelope(data):
    if data.startswith(b"From "):
        nl = data.find(b"\n")
        return b"" if nl < 0 else data[nl + 1:]
    return data


def header(msg, name):
    """The first header of that name as the policy parses it, or None (missing or unparsable)."""
    try:
        return msg[name]
    except Exception:  # the header parser raises on some hostile input
        return None


def addresses(msg, name):
    h = header(msg, name)
    if h is None:
        return []
    try:
        return [[a.display_name or "", (a.addr_spec or "").lower()] for a in h.addresses]
    except Exception:
        return []


def utc_date(msg):
    h = header(msg, "date")
    dt = getattr(h, "datetime", None) if h is not None else None
    if dt is None:
        return None
    if dt.tzinfo is None:  # "-0000": no zone information; the time is UTC
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    dt = dt.astimezone(datetime.timezone.utc)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (dt.year, dt.month, dt.day,
                                               dt.hour, dt.minute, dt.second)


def message_id(msg):
    h = header(msg, "message-id")
    if h is None:
        return None
    return str(h).strip()  # compare.py takes the id out of its <>


def leaves(part):
    """Leaf parts in order; a message/* part counts as one leaf, its insides are not walked."""
    stack = [part]
    while stack:
        p = stack.pop()
        if p.get_content_maintype() == "multipart" and p.is_multipart():
            stack.extend(reversed(p.get_payload()))
        else:
            yield p


def is_attachment(part):
    disposition = part.get_content_disposition()
    if part.get_content_type() not in TEXT_TYPES:
        return True
    return disposition is not None and disposition != "inline"


def attachments(msg):
    return [p.get_filename() for p in leaves(msg) if is_attachment(p)]


def text_body(msg):
    body = msg.get_body(preferencelist=("plain",))
    if body is None:
        return None
    try:
        text = body.get_content()
    except LookupError:  # an unknown charset: get_content() gives up; read it as UTF-8
        text = body.get_payload(decode=True).decode("utf-8", "replace")
    return text if text.strip() else None


def summarize(path, data):
    msg = email.message_from_bytes(strip_envelope(data), policy=email.policy.default)
    subject = header(msg, "subject")
    return {
        "file": path,
        "subject": None if subject is None else str(subject),
        "from": addresses(msg, "from"),
        "to": addresses(msg, "to"),
        "cc": addresses(msg, "cc"),
        "date": utc_date(msg),
        "message_id": message_id(msg),
        "attachments": attachments(msg),
        "text": text_body(msg),
    }


def paths(argv):
    if argv == ["-"]:
        return [line.rstrip("\n") for line in sys.stdin if line.strip()]
    return argv


def main(argv):
    out = sys.stdout
    for path in paths(argv):
        try:
            with open(path, "rb") as f:
                line = summarize(path, f.read())
        except Exception as e:  # a peer crash on one message is reported, not fatal
            line = {"file": path, "error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(line) + "\n")  # ASCII: undecodable bytes stay \udcXX escapes
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
