#!/usr/bin/env python3
"""test_ctypes_smoke.py — loads libmailparse through the ctypes binding, parses a small
message and checks subject, From and the part tree through the mirrored structs.

Usage: test_ctypes_smoke.py path/to/libmailparse.so
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mailparse_ctypes as mp  # noqa: E402

MESSAGE = (
    b"From: =?utf-8?q?J=C3=B6rg?= <joerg@example.org>\r\n"
    b"To: a@example.net, Team: b@example.net;\r\n"
    b"Subject: Hello =?utf-8?q?w=C3=B6rld?=\r\n"
    b"Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n"
    b"Message-ID: <1234@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    b"\r\n"
    b"--XX\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Body text\r\n"
    b"--XX\r\n"
    b"Content-Type: application/octet-stream; name=\"a.bin\"\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"AAEC\r\n"
    b"--XX--\r\n"
)


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)


def main():
    lib = mp.load(sys.argv[1])
    check(lib.mailparse_version_number() == 100, "version number 0.1.0")
    with mp.Message(lib, MESSAGE) as m:
        check(m.subject() == "Hello w\u00f6rld", f"subject {m.subject()!r}")
        frm = m.addresses("From")
        check(frm == {"addresses": [("J\u00f6rg", "joerg@example.org", -1)], "groups": []},
              f"from {frm!r}")
        to = m.addresses("To")
        check(to["groups"] == ["Team"] and to["addresses"][1] == (None, "b@example.net", 0),
              f"to {to!r}")
        check(m.message_id() == "1234@example.org", f"message id {m.message_id()!r}")
        date = lib.mailparse_message_date(m.handle)
        check(bool(date) and date.contents.timestamp == 1057049557, "date")
        parts = m.parts()
        check(len(parts) == 3, f"{len(parts)} parts")
        root, text, binary = parts
        check(root.kind == mp.PART_MULTIPART and root.child_count == 2, "root is multipart")
        check([root.children[i] for i in range(2)] == [1, 2], "children")
        check(mp.text(root.content_type.contents.subtype) == "mixed", "multipart/mixed")
        check(text.kind == mp.PART_TEXT and text.parent == 0, "text part")
        check(mp.text_n(text.text, text.text_len) == "Body text", "text body")
        check(binary.kind == mp.PART_BINARY, "binary part")
        check(mp.text(binary.filename) == "a.bin", "file name")
        check(bytes(binary.body[:binary.body_len]) == b"\x00\x01\x02", "decoded body")
        h = m.header("Subject")
        check(h is not None and mp.text_n(h.name, h.name_len) == "Subject", "header by name")
    with mp.Values(lib) as v:
        check(v.ids(b"<a@b> <c@d>") == ["a@b", "c@d"], "standalone ids")
    print("ctypes smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
