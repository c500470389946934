#!/usr/bin/env python3
"""test_mailbuild_ctypes.py — drives libmailbuild through ctypes with no C glue: options with
Python clock and random callbacks, addresses, a text body and an attachment, output through a
Python write callback; checks it equals mailbuild_to_buffer() and mailbuild_size(), then reads
it back with libmailparse through its binding.

Usage: test_mailbuild_ctypes.py path/to/libmailbuild.so path/to/libmailparse.so
"""
import ctypes
import os
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char, c_char_p, c_int, c_int64, c_size_t,
                    c_ubyte, c_uint, c_void_p)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mailparse_ctypes as mp  # noqa: E402

RANDOM_FN = CFUNCTYPE(None, c_void_p, POINTER(c_ubyte), c_size_t)
CLOCK_FN = CFUNCTYPE(c_int64, c_void_p)
WRITE_FN = CFUNCTYPE(c_int, c_void_p, POINTER(c_char), c_size_t)
E_INJECTION = -7


class Options(Structure):
    _fields_ = [("struct_size", c_size_t), ("flags", c_uint), ("clock", CLOCK_FN),
                ("clock_user", c_void_p), ("utc_offset_minutes", c_int),
                ("random", RANDOM_FN), ("random_user", c_void_p),
                ("message_id_domain", c_char_p), ("max_depth", c_size_t),
                ("max_parts", c_size_t)]


PROTOTYPES = {
    "mailbuild_version_number": (c_int, []),
    "mailbuild_strerror": (c_char_p, [c_int]),
    "mailbuild_options_init": (None, [POINTER(Options)]),
    "mailbuild_message_new": (c_int, [POINTER(Options), POINTER(c_void_p)]),
    "mailbuild_message_free": (None, [c_void_p]),
    "mailbuild_add_address": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p]),
    "mailbuild_set_subject": (c_int, [c_void_p, c_char_p]),
    "mailbuild_set_text": (c_int, [c_void_p, c_char_p, c_size_t, c_void_p]),
    "mailbuild_add_attachment": (c_int, [c_void_p, c_char_p, c_size_t, c_char_p, c_char_p,
                                         c_void_p]),
    "mailbuild_write": (c_int, [c_void_p, WRITE_FN, c_void_p]),
    "mailbuild_size": (c_int, [c_void_p, POINTER(c_size_t)]),
    "mailbuild_to_buffer": (c_int, [c_void_p, POINTER(ctypes.POINTER(c_char)), POINTER(c_size_t)]),
    "mailbuild_free": (None, [c_void_p]),
}


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)


def load(path):
    lib = ctypes.CDLL(path)
    for name, (restype, argtypes) in PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


def main():
    lib = load(sys.argv[1])
    parse = mp.load(sys.argv[2])
    check(lib.mailbuild_version_number() == 100, "version number 0.1.0")
    counter = [0]

    def rnd(_user, buf, n):
        for i in range(n):
            buf[i] = (counter[0] * 37 + 11) & 0xFF
            counter[0] += 1

    random_cb, clock_cb = RANDOM_FN(rnd), CLOCK_FN(lambda _user: 1700000000)
    opts = Options()
    lib.mailbuild_options_init(ctypes.byref(opts))
    opts.random, opts.clock, opts.utc_offset_minutes = random_cb, clock_cb, 60
    m = c_void_p()
    check(lib.mailbuild_message_new(ctypes.byref(opts), ctypes.byref(m)) == 0, "new")
    check(lib.mailbuild_add_address(m, b"From", "Jörg Müller".encode(), b"joerg@example.de") == 0,
          "from")
    check(lib.mailbuild_add_address(m, b"To", None, b"team@example.org") == 0, "to")
    check(lib.mailbuild_add_address(m, b"Bcc", None, b"x@example.org\r\nBcc: y@example.org")
          == E_INJECTION, "injection refused")
    check(lib.mailbuild_set_subject(m, "Grüße".encode()) == 0, "subject")
    body = "Hallo,\nanbei der Bericht.\n".encode()
    check(lib.mailbuild_set_text(m, body, len(body), None) == 0, "text")
    pdf = bytes(range(256)) * 8
    check(lib.mailbuild_add_attachment(m, pdf, len(pdf), None, "Bericht März.pdf".encode(), None)
          == 0, "attachment")

    pieces = []

    def write(_user, data, n):
        pieces.append(ctypes.string_at(data, n))
        return 0

    write_cb = WRITE_FN(write)
    check(lib.mailbuild_write(m, write_cb, None) == 0, "write")
    streamed = b"".join(pieces)
    size = c_size_t()
    check(lib.mailbuild_size(m, ctypes.byref(size)) == 0 and size.value == len(streamed), "size")
    buf, n = ctypes.POINTER(c_char)(), c_size_t()
    check(lib.mailbuild_to_buffer(m, ctypes.byref(buf), ctypes.byref(n)) == 0, "to_buffer")
    check(ctypes.string_at(buf, n.value) == streamed, "to_buffer equals the streamed bytes")
    lib.mailbuild_free(buf)
    lib.mailbuild_message_free(m)
    check(b"Date: Tue, 14 Nov 2023 23:13:20 +0100\r\n" in streamed, "date from the clock")
    check(b"y@example.org" not in streamed, "nothing of the refused address written")

    with mp.Message(parse, streamed) as msg:
        check(msg.subject() == "Grüße", f"subject {msg.subject()!r}")
        frm = msg.addresses("From")
        check(frm["addresses"] == [("Jörg Müller", "joerg@example.de", -1)], f"from {frm!r}")
        parts = msg.parts()
        check(len(parts) == 3, f"{len(parts)} parts")
        text_part, attachment = parts[1], parts[2]
        check(ctypes.string_at(text_part.body, text_part.body_len) == body.replace(b"\n", b"\r\n"),
              "text body, line ends made CRLF")
        check(mp.text(attachment.filename) == "Bericht März.pdf", "filename")
        check(mp.text(attachment.content_type.contents.subtype) == "pdf", "type from the name")
        check(ctypes.string_at(attachment.body, attachment.body_len) == pdf, "attachment bytes")
    print("mailbuild ctypes: ok")


if __name__ == "__main__":
    main()
