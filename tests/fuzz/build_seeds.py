#!/usr/bin/env python3
"""Writes the seed scripts of fuzz_build.c into corpus/build/ (run from anywhere; overwrites).
The found-* files there are inputs the fuzzer found, kept as they are for regression.

A script is the 12-byte prologue (flags, limits, clock, zone, random seed), then operations: one
byte naming the call and its arguments, strings as a length byte (255: a 16-bit little-endian
length follows) and the bytes. The numbers here mirror the `switch` of run_op() in fuzz_build.c.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'build')

# flags (the low five bits are MAILBUILD_F_*)
SMTPUTF8, EIGHTBIT, BORROW, NO_DATE, NO_MSGID = 1, 2, 4, 8, 16
MSGID_DOMAIN, FAILING_WRITE, SIZE_FIRST = 0x20, 0x40, 0x80

# the tables of fuzz_build.c, in order; the index past a table reads a string instead
ADDR = ['From', 'To', 'Cc', 'Bcc', 'Reply-To', 'Sender', 'Resent-To', 'Disposition-Notification-To',
        'X-Fuzz-Addr', 'to']
TEXT = ['Comments', 'X-Fuzz', 'Organization', 'X-Mailer', 'Content-Type', 'MIME-Version',
        'Bad Name', '', 'X:colon']
IDS = ['In-Reply-To', 'References', 'Resent-Message-ID', 'X-Fuzz-Ids']
URLS = ['List-Help', 'List-Unsubscribe', 'List-Post', 'List-Archive', 'List-Owner', 'List-Subscribe']
TYPES = [None, 'application/octet-stream', 'image/png', 'text/plain', 'text/html', 'text/csv',
         'application/pdf', 'message/rfc822', 'multipart/mixed', 'TEXT/Plain']
SUBTYPES = ['mixed', 'alternative', 'related', 'digest', 'signed']
CHARSETS = [None, 'utf-8', 'us-ascii', 'iso-8859-1', 'windows-1252', 'koi8-r', 'shift_jis',
            'utf-16', 'x-no-such-charset']
PARAMS = ['format', 'name', 'charset', 'boundary', 'x-fuzz', 'delsp', 'micalg']
DISPOSITIONS = ['inline', 'attachment', 'form-data']
FILENAMES = ['a.txt', 'b.png', 'c.eml', 'd.html', 'e.pdf', 'f', 'dir/g.bin', 'Grüße.txt']
REMOVALS = ['To', 'Subject', 'Comments', 'X-Fuzz', 'Date', 'From', 'Keywords', 'References',
            'Message-ID']
ENC = {'auto': 0, '7bit': 1, '8bit': 2, 'binary': 3, 'qp': 4, 'base64': 5}


def s(v):
    b = v.encode('utf-8') if isinstance(v, str) else bytes(v)
    if len(b) < 255:
        return bytes([len(b)]) + b
    return b'\xff' + struct.pack('<H', len(b)) + b


def pick(table, key):
    if key in table:
        return bytes([table.index(key)])
    return bytes([len(table)]) + s(key)


def prologue(flags=0, limits=0, clock=1772443200, zone=60, seed=1):
    return bytes([flags, limits]) + struct.pack('<IHI', clock, (zone + 1439) % 2879, seed)


def address(field, name, addr):
    return b'\x00' + pick(ADDR, field) + (b'\x01' + s(name) if name is not None else b'\x00') + s(addr)


def group_open(field, name):
    return b'\x01' + pick(ADDR, field) + s(name)


def group_close(field):
    return b'\x02' + pick(ADDR, field)


def subject(text):
    return b'\x03' + s(text)


def text_header(name, value, raw=False):
    return (b'\x05' if raw else b'\x04') + pick(TEXT, name) + s(value)


def message_id(v):
    return b'\x06' + s(v)


def add_id(field, v):
    return b'\x07' + pick(IDS, field) + s(v)


def url(field, v):
    return b'\x08' + pick(URLS, field) + s(v)


def keyword(v):
    return b'\x09' + s(v)


def text(v, html=False):
    return (b'\x0b' if html else b'\x0a') + s(v)


def attach(data, ctype=None, filename=None):
    fn = b'\x01' + pick(FILENAMES, filename) if filename is not None else b'\x00'
    return b'\x0c' + pick(TYPES, ctype) + fn + s(data)


def inline(data, cid, ctype=None, filename=None):
    fn = b'\x01' + pick(FILENAMES, filename) if filename is not None else b'\x00'
    return b'\x0d' + pick(TYPES, ctype) + s(cid) + fn + s(data)


def leaf(ctype, data):
    return b'\x0e' + pick(TYPES, ctype) + s(data)


def multipart(subtype):
    return b'\x0f' + pick(SUBTYPES, subtype)


def append(parent, child):
    return bytes([16, parent, child])


def body(part):
    return bytes([17, part])


def param(part, name, value):
    return bytes([18, part]) + pick(PARAMS, name) + s(value)


def filename(part, name):
    return bytes([19, part]) + pick(FILENAMES, name)


def disposition(part, d):
    return bytes([20, part]) + pick(DISPOSITIONS, d)


def content_id(part, cid):
    return bytes([21, part]) + s(cid)


def charset(part, cs):
    return bytes([22, part]) + pick(CHARSETS, cs)


def part_header(part, name, value, raw=False):
    return bytes([24 if raw else 23, part]) + pick(TEXT, name) + s(value)


def encoding(part, enc):
    return bytes([25, ENC[enc], part])


def remove(name):
    sel = next(b for b in range(0x80, 0x100) if b % len(REMOVALS) == REMOVALS.index(name))
    return bytes([25, sel, 0])


def date(ts, zone):
    return b'\xfe' + struct.pack('>q', ts) + struct.pack('<h', zone)


PNG = b'\x89PNG\r\n\x1a\n' + bytes(range(256)) + b'\r\n\n\r\0'
FORWARDED = (b'From: a@example.test\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=x\r\n'
             b'\r\n--x\r\n\r\none\r\n--x--\r\n')

SEEDS = {
    'plain': prologue() + address('From', 'Anna Sender', 'anna@example.test')
    + address('To', None, 'bob@example.test') + subject('Hello') + text('Hi Bob,\nsee you.\n'),

    'shapes': prologue(seed=2) + address('From', 'Zoë', 'zoe@example.test')
    + text('Text with ümlauts\r\nand a second line') + text('<p>HTML <img src="cid:c1@x.test"></p>', html=True)
    + inline(PNG, '<c1@x.test>', 'image/png', 'b.png') + attach(b'%PDF-1.4\n', None, 'e.pdf')
    + attach('Grüße\n'.encode(), None, 'Grüße.txt') + subject('Grüße aus Köln'),

    'tree': prologue(seed=3) + address('From', None, 'a@example.test')
    + multipart('mixed') + multipart('alternative') + leaf('text/plain', b'plain\n')
    + leaf('text/html', b'<b>x</b>') + leaf('application/octet-stream', b'\0\1\2\xff')
    + append(1, 2) + append(1, 3) + append(0, 1) + append(0, 4) + body(0)
    + param(2, 'format', 'flowed') + param(4, 'x-fuzz', 'a value with spaces; and "quotes"')
    + filename(4, 'dir/g.bin') + encoding(4, 'base64') + encoding(2, 'qp') + charset(3, 'iso-8859-1'),

    'fields': prologue(seed=4) + address('From', 'Team Lead', 'lead@example.test')
    + group_open('To', 'Undisclosed recipients') + group_close('To')
    + group_open('Cc', 'Friends') + address('Cc', 'Doe, John', 'john@example.test')
    + address('Cc', None, '"odd local"@example.test') + group_close('Cc')
    + keyword('alpha') + keyword('beta, gamma') + url('List-Unsubscribe', 'mailto:u@example.test?subject=x')
    + add_id('In-Reply-To', '<p1@example.test>') + add_id('References', 'p0@example.test')
    + message_id('<m1@example.test>') + text_header('Comments', 'a =?utf-8?q?not?= word')
    + text_header('X-Fuzz', 'folded\r\n value', raw=True) + date(1057049557, 120)
    + subject('  spaced   subject  '),

    'smtputf8': prologue(SMTPUTF8, seed=5) + address('From', 'Jörg', 'jörg@bücher.example')
    + address('To', '日本語', 'ユーザー@例え.jp') + subject('Grüße — 日本語') + text('Grüße\n')
    + attach(b'data', 'application/octet-stream', 'Grüße.txt'),

    'eightbit': prologue(EIGHTBIT | BORROW | SIZE_FIRST, seed=6) + address('From', None, 'a@example.test')
    + text('Zoë\n' * 40) + encoding(0, '8bit') + leaf('text/plain', b'x' * 1200) + attach(b'\0' * 10, 'text/plain')
    + encoding(2, 'binary'),

    'hostile': prologue(seed=7) + address('To', 'Eve', 'eve@example.test\r\nBcc: all@example.test')
    + address('To', 'Eve\r\nBcc: x@example.test', 'eve@example.test') + subject('hi\r\nBcc: x@example.test')
    + text_header('X-Fuzz', 'v\nInjected: yes') + text_header('Bad Name', 'v')
    + text_header('Content-Type', 'text/html') + text_header('X-Fuzz', 'a\r\n\r\nbody', raw=True)
    + subject('x' * 2000) + text_header('X-Fuzz', 'y' * 1500, raw=True)
    + text_header('Comments', ' '.join(['w%d' % i for i in range(400)])) + message_id('no-at-sign')
    + url('List-Help', 'http://x/<y>') + date(-5000000000, 0) + date(0, 1440),

    'message': prologue(seed=8) + address('From', None, 'a@example.test') + text('see attached')
    + attach(FORWARDED, 'message/rfc822', 'c.eml') + attach(FORWARDED.replace(b'\r\n', b'\n'), None, 'c.eml')
    + encoding(1, 'base64'),

    'empty': prologue(NO_DATE | NO_MSGID | MSGID_DOMAIN, seed=9) + s('example.org'),

    'failing_write': prologue(FAILING_WRITE, limits=0x21, seed=10) + address('From', None, 'a@example.test')
    + multipart('mixed') + multipart('mixed') + append(0, 1) + leaf('text/plain', b'deep') + append(1, 2)
    + body(0) + attach(PNG, 'image/png', 'b.png') + remove('Subject') + remove('To') + subject('after removal'),

    # 50 multiparts and a leaf in a chain, built from the bottom: the last append would make 51
    # levels and must fail; the 50 levels under it must be accepted as the body and read back
    # without the parser's depth limit (also 50) cutting them
    'deep': prologue(seed=11) + address('From', None, 'a@example.test')
    + b''.join(multipart('mixed') for _ in range(50)) + leaf('text/plain', b'bottom')
    + b''.join(append(i, i + 1) for i in reversed(range(50))) + body(0) + body(1),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
    print('%d seeds in %s' % (len(SEEDS), OUT))


if __name__ == '__main__':
    main()
