"""mailparse_ctypes.py — a ctypes binding of libmailparse's public API (mailparse.h).

The structures mirror mailparse.h field for field; every public function gets its argtypes
and restype. `load(path)` returns the configured ctypes library; the helpers below turn the
borrowed C records into Python values (str / dict / list) for callers and tests.
"""
import ctypes
from ctypes import (POINTER, CFUNCTYPE, Structure, c_char, c_char_p, c_int, c_int64, c_long,
                    c_size_t, c_ubyte, c_uint, c_void_p)

# ---- errors, anomalies, flags (mailparse.h) -------------------------------------------------
OK, E_NOMEM, E_INVAL, E_LIMIT, E_UNSUPPORTED, E_CHARSET, E_SYNTAX, E_STATE, E_IO, E_EOF = (
    0, -1, -2, -3, -4, -5, -6, -7, -8, -9)
F_ZERO_COPY, F_NO_BODY_DECODE, F_NO_HTML_TO_TEXT = 1, 2, 4
QP_BINARY = 1
RFC2047_PHRASE = 1
MBOX_RD, MBOX_O, MBOX_CL = 0, 1, 2

VALUE_TEXT, VALUE_ADDRESSES, VALUE_DATE, VALUE_IDS, VALUE_CONTENT_TYPE, VALUE_RECEIVED, \
    VALUE_URLS, VALUE_TEXT_LIST = range(8)
PART_TEXT, PART_HTML, PART_BINARY, PART_MESSAGE, PART_MULTIPART = range(5)
ENC_7BIT, ENC_8BIT, ENC_BINARY, ENC_BASE64, ENC_QUOTED_PRINTABLE, ENC_UUENCODE, \
    ENC_UNKNOWN = range(7)

ANOMALY_FN = CFUNCTYPE(None, c_void_p, c_int, c_size_t)


class Options(Structure):
    _fields_ = [("struct_size", c_size_t), ("flags", c_uint),
                ("max_message_size", c_size_t), ("max_header_count", c_size_t),
                ("max_header_size", c_size_t), ("max_depth", c_size_t),
                ("max_parts", c_size_t), ("max_encoded_words", c_size_t),
                ("anomaly", ANOMALY_FN), ("anomaly_user", c_void_p),
                ("default_charset", c_char_p)]


class Date(Structure):
    _fields_ = [("timestamp", c_int64), ("year", c_int), ("month", c_int), ("day", c_int),
                ("hour", c_int), ("minute", c_int), ("second", c_int),
                ("offset_minutes", c_int)]


class Address(Structure):
    _fields_ = [("name", c_char_p), ("address", c_char_p), ("group", c_int)]


class AddressList(Structure):
    _fields_ = [("count", c_size_t), ("items", POINTER(Address)),
                ("group_count", c_size_t), ("group_names", POINTER(c_char_p))]


class Param(Structure):
    _fields_ = [("name", c_char_p), ("value", POINTER(c_char)), ("language", c_char_p),
                ("value_len", c_size_t)]


class ContentType(Structure):
    _fields_ = [("type", c_char_p), ("subtype", c_char_p), ("param_count", c_size_t),
                ("params", POINTER(Param))]


class Received(Structure):
    _fields_ = [(name, c_char_p) for name in (
        "from_", "from_ip", "from_iprev", "helo", "by", "via", "with_", "id", "for_addr",
        "ident", "tls_version", "tls_cipher")] + [("has_date", c_int), ("date", Date)]


class StringList(Structure):
    _fields_ = [("count", c_size_t), ("items", POINTER(c_char_p))]


class Header(Structure):
    _fields_ = [("name", POINTER(c_char)), ("name_len", c_size_t),
                ("raw_value", POINTER(c_char)), ("raw_value_len", c_size_t),
                ("text", POINTER(c_char)), ("text_len", c_size_t),
                ("offset_field", c_size_t), ("offset_value", c_size_t),
                ("offset_end", c_size_t), ("kind", c_int),
                ("addresses", POINTER(AddressList)), ("date", POINTER(Date)),
                ("list", POINTER(StringList)), ("content_type", POINTER(ContentType)),
                ("received", POINTER(Received))]


class Part(Structure):
    _fields_ = [("id", c_size_t), ("parent", c_long), ("child_count", c_size_t),
                ("children", POINTER(c_size_t)), ("kind", c_int), ("flags", c_uint),
                ("content_type", POINTER(ContentType)), ("disposition", POINTER(ContentType)),
                ("charset", c_char_p), ("filename", c_char_p), ("content_id", c_char_p),
                ("description", c_char_p), ("location", c_char_p),
                ("language", POINTER(StringList)), ("encoding", c_int),
                ("offset_header", c_size_t), ("offset_body", c_size_t), ("offset_end", c_size_t),
                ("header_first", c_size_t), ("header_count", c_size_t),
                ("body", POINTER(c_ubyte)), ("body_len", c_size_t),
                ("text", POINTER(c_char)), ("text_len", c_size_t),
                ("nested", c_void_p)]  # a mailparse_message * (transfer-encoded message/global)


P, PP = POINTER, lambda t: POINTER(POINTER(t))
_SIGNATURES = {
    "mailparse_version": (c_char_p, []),
    "mailparse_version_number": (c_int, []),
    "mailparse_strerror": (c_char_p, [c_int]),
    "mailparse_free": (None, [c_void_p]),
    "mailparse_anomaly_name": (c_char_p, [c_int]),
    "mailparse_options_init": (None, [P(Options)]),
    "mailparse_parse": (c_int, [c_char_p, c_size_t, P(Options), P(c_void_p)]),
    "mailparse_parser_new": (c_int, [P(Options), P(c_void_p)]),
    "mailparse_parser_feed": (c_int, [c_void_p, c_char_p, c_size_t]),
    "mailparse_parser_headers_done": (c_int, [c_void_p]),
    "mailparse_parser_finish": (c_int, [c_void_p, P(c_void_p)]),
    "mailparse_parser_free": (None, [c_void_p]),
    "mailparse_message_free": (None, [c_void_p]),
    "mailparse_message_raw": (P(c_ubyte), [c_void_p, P(c_size_t)]),
    "mailparse_message_anomaly_count": (c_size_t, [c_void_p]),
    "mailparse_message_anomaly_at": (c_int, [c_void_p, c_size_t, P(c_int), P(c_size_t)]),
    "mailparse_message_part_count": (c_size_t, [c_void_p]),
    "mailparse_message_part": (P(Part), [c_void_p, c_size_t]),
    "mailparse_message_header_count": (c_size_t, [c_void_p]),
    "mailparse_message_header_at": (P(Header), [c_void_p, c_size_t]),
    "mailparse_part_header": (P(Header), [c_void_p, c_size_t, c_char_p, c_long]),
    "mailparse_message_subject": (c_char_p, [c_void_p]),
    "mailparse_message_addresses": (P(AddressList), [c_void_p, c_char_p]),
    "mailparse_message_date": (P(Date), [c_void_p]),
    "mailparse_message_id": (c_char_p, [c_void_p]),
    "mailparse_message_text_body": (P(c_size_t), [c_void_p, P(c_size_t)]),
    "mailparse_message_html_body": (P(c_size_t), [c_void_p, P(c_size_t)]),
    "mailparse_message_attachments": (P(c_size_t), [c_void_p, P(c_size_t)]),
    "mailparse_message_text": (P(c_char), [c_void_p, P(c_size_t)]),
    "mailparse_message_html": (P(c_char), [c_void_p, P(c_size_t)]),
    "mailparse_message_preview": (c_int, [c_void_p, c_size_t, P(c_void_p), P(c_size_t)]),
    "mailparse_values_new": (c_int, [P(c_void_p)]),
    "mailparse_values_free": (None, [c_void_p]),
    "mailparse_parse_addresses": (c_int, [c_void_p, c_char_p, c_size_t, ANOMALY_FN, c_void_p,
                                          PP(AddressList)]),
    "mailparse_parse_date": (c_int, [c_char_p, c_size_t, P(Date)]),
    "mailparse_parse_ids": (c_int, [c_void_p, c_char_p, c_size_t, PP(StringList)]),
    "mailparse_parse_urls": (c_int, [c_void_p, c_char_p, c_size_t, PP(StringList)]),
    "mailparse_parse_content_type": (c_int, [c_void_p, c_char_p, c_size_t, ANOMALY_FN, c_void_p,
                                             PP(ContentType)]),
    "mailparse_parse_received": (c_int, [c_void_p, c_char_p, c_size_t, PP(Received)]),
    "mailparse_format_date": (c_int, [c_int64, c_int, c_char_p, c_size_t]),
    "mailparse_base64_decode": (c_int, [c_char_p, c_size_t, P(c_void_p), P(c_size_t),
                                        ANOMALY_FN, c_void_p]),
    "mailparse_base64_encode": (c_int, [c_char_p, c_size_t, c_size_t, P(c_void_p), P(c_size_t)]),
    "mailparse_qp_decode": (c_int, [c_char_p, c_size_t, P(c_void_p), P(c_size_t), ANOMALY_FN,
                                    c_void_p]),
    "mailparse_qp_encode": (c_int, [c_char_p, c_size_t, c_uint, P(c_void_p), P(c_size_t)]),
    "mailparse_charset_to_utf8": (c_int, [c_char_p, c_char_p, c_size_t, P(c_void_p), P(c_size_t),
                                          ANOMALY_FN, c_void_p]),
    "mailparse_charset_from_utf8": (c_int, [c_char_p, c_char_p, c_size_t, P(c_void_p),
                                            P(c_size_t)]),
    "mailparse_charset_canonical": (c_char_p, [c_char_p]),
    "mailparse_rfc2047_decode": (c_int, [c_char_p, c_size_t, c_uint, P(c_void_p), P(c_size_t),
                                         ANOMALY_FN, c_void_p]),
    "mailparse_rfc2047_encode": (c_int, [c_char_p, c_size_t, c_char_p, c_uint, c_size_t,
                                         P(c_void_p), P(c_size_t)]),
    "mailparse_rfc2231_encode": (c_int, [c_char_p, c_char_p, c_size_t, c_char_p, P(c_void_p),
                                         P(c_size_t)]),
    "mailparse_html_to_text": (c_int, [c_char_p, c_size_t, P(c_void_p), P(c_size_t)]),
    "mailparse_text_to_html": (c_int, [c_char_p, c_size_t, P(c_void_p), P(c_size_t)]),
    "mailparse_thread_subject": (c_int, [c_char_p, c_size_t, P(c_void_p), P(c_size_t)]),
    "mailparse_mbox_open_buffer": (c_int, [c_char_p, c_size_t, c_int, P(c_void_p)]),
    "mailparse_mbox_open_file": (c_int, [c_char_p, c_int, P(c_void_p)]),
    "mailparse_mbox_next": (c_int, [c_void_p, P(P(c_ubyte)), P(c_size_t), P(c_char_p),
                                    P(c_size_t)]),
    "mailparse_mbox_free": (None, [c_void_p]),
    "mailparse_maildir_flags": (c_uint, [c_char_p, P(c_uint)]),
    "mailparse_maildir_open": (c_int, [c_char_p, P(c_void_p)]),
    "mailparse_maildir_count": (c_size_t, [c_void_p]),
    "mailparse_maildir_path": (c_char_p, [c_void_p, c_size_t, P(c_int), P(c_uint)]),
    "mailparse_maildir_free": (None, [c_void_p]),
}

NO_ANOMALY = ANOMALY_FN()


def load(path):
    """Loads the shared library at `path` and declares every public function it exports
    (a function the library lacks is simply absent from the returned object)."""
    lib = ctypes.CDLL(path)
    for name, (restype, argtypes) in _SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            continue
        fn.restype, fn.argtypes = restype, argtypes
    return lib


class MailparseError(Exception):
    """A negative MAILPARSE_E_* status; `code` holds it."""

    def __init__(self, lib, code):
        super().__init__(f"{lib.mailparse_strerror(code).decode()} ({code})")
        self.code = code


def text(p):
    """A NUL-terminated UTF-8 C string (bytes from c_char_p) as str, or None."""
    return None if p is None else p.decode("utf-8", "replace")


def text_n(ptr, n):
    """`n` bytes at a POINTER(c_char) as str (None for a NULL pointer)."""
    return None if not ptr else ctypes.string_at(ptr, n).decode("utf-8", "replace")


def take_buffer(lib, ptr, n):
    """Bytes of a caller-owned output buffer; frees it with mailparse_free()."""
    try:
        return ctypes.string_at(ptr, n.value) if ptr else b""
    finally:
        lib.mailparse_free(ptr)


def address_list(lst):
    """A mailparse_address_list as {"addresses": [(name, address, group)], "groups": [...]}."""
    if not lst:
        return None
    l = lst.contents
    items = [(text(l.items[i].name), text(l.items[i].address), l.items[i].group)
             for i in range(l.count)]
    groups = [text(l.group_names[i]) for i in range(l.group_count)]
    return {"addresses": items, "groups": groups}


def string_list(lst):
    """A mailparse_string_list as a list of str."""
    if not lst:
        return None
    return [text(lst.contents.items[i]) for i in range(lst.contents.count)]


def date(d):
    """A mailparse_date as a dict."""
    return {k: getattr(d, k) for k, _ in Date._fields_}


def content_type(ct):
    """A mailparse_content_type as {"type", "subtype", "params": [(name, value, language)]}."""
    if not ct:
        return None
    c = ct.contents
    params = [(text(c.params[i].name),
               ctypes.string_at(c.params[i].value, c.params[i].value_len).decode("utf-8", "replace"),
               text(c.params[i].language))
              for i in range(c.param_count)]
    return {"type": text(c.type), "subtype": text(c.subtype), "params": params}


def received(r):
    """A mailparse_received as a dict of its set fields (C names, "date" when present)."""
    if not r:
        return None
    c = r.contents
    out = {}
    for name, _ in Received._fields_:
        if name in ("has_date", "date"):
            continue
        value = text(getattr(c, name))
        if value is not None:
            out[name.rstrip("_") if name != "from_" else "from"] = value
    if c.has_date:
        out["date"] = date(c.date)
    return out


def rfc2047_decode(lib, data, flags=0):
    """mailparse_rfc2047_decode() of `data` (bytes) as str."""
    out, n = c_void_p(), c_size_t()
    rc = lib.mailparse_rfc2047_decode(data, len(data), flags, ctypes.byref(out), ctypes.byref(n),
                                      NO_ANOMALY, None)
    if rc != 0:
        raise MailparseError(lib, rc)
    return take_buffer(lib, out, n).decode("utf-8", "replace")


class Values:
    """A mailparse_values arena with the standalone header value parsers."""

    def __init__(self, lib):
        self.lib, self.handle = lib, c_void_p()
        rc = lib.mailparse_values_new(ctypes.byref(self.handle))
        if rc != 0:
            raise MailparseError(lib, rc)

    def close(self):
        if self.handle:
            self.lib.mailparse_values_free(self.handle)
            self.handle = c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _call(self, fn, data, rtype, *extra):
        out = POINTER(rtype)()
        rc = fn(self.handle, data, len(data), *extra, ctypes.byref(out))
        if rc != 0:
            raise MailparseError(self.lib, rc)
        return out

    def addresses(self, data):
        return address_list(self._call(self.lib.mailparse_parse_addresses, data, AddressList,
                                       NO_ANOMALY, None))

    def ids(self, data):
        return string_list(self._call(self.lib.mailparse_parse_ids, data, StringList))

    def urls(self, data):
        return string_list(self._call(self.lib.mailparse_parse_urls, data, StringList))

    def content_type(self, data):
        return content_type(self._call(self.lib.mailparse_parse_content_type, data, ContentType,
                                       NO_ANOMALY, None))

    def received(self, data):
        return received(self._call(self.lib.mailparse_parse_received, data, Received))


def parse_date(lib, data):
    """mailparse_parse_date() as a dict, or None on MAILPARSE_E_SYNTAX."""
    d = Date()
    rc = lib.mailparse_parse_date(data, len(data), ctypes.byref(d))
    if rc == E_SYNTAX:
        return None
    if rc != 0:
        raise MailparseError(lib, rc)
    return date(d)


class Message:
    """A parsed message (mailparse_parse()); free with close() or a with block."""

    def __init__(self, lib, data, options=None):
        self.lib, self.handle, self._data = lib, c_void_p(), data
        opts = ctypes.byref(options) if options is not None else None
        rc = lib.mailparse_parse(data, len(data), opts, ctypes.byref(self.handle))
        if rc != 0:
            raise MailparseError(lib, rc)

    def close(self):
        if self.handle:
            self.lib.mailparse_message_free(self.handle)
            self.handle = c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def subject(self):
        return text(self.lib.mailparse_message_subject(self.handle))

    def addresses(self, field):
        return address_list(self.lib.mailparse_message_addresses(self.handle, field.encode()))

    def message_id(self):
        return text(self.lib.mailparse_message_id(self.handle))

    def parts(self):
        count = self.lib.mailparse_message_part_count(self.handle)
        return [self.lib.mailparse_message_part(self.handle, i).contents for i in range(count)]

    def header(self, name, part=0, nth=0):
        h = self.lib.mailparse_part_header(self.handle, part, name.encode(), nth)
        return h.contents if h else None

    def text(self):
        n = c_size_t()
        return text_n(self.lib.mailparse_message_text(self.handle, ctypes.byref(n)), n.value)
