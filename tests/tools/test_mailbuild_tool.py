#!/usr/bin/env python3
"""examples/mailbuild run on the files in tests/data/build, its output read back with
examples/mailparse-dump --json --bodies.

usage: test_mailbuild_tool.py MAILBUILD MAILPARSE_DUMP DATA_DIR

Each case checks the exit status, that the output is well-formed on the wire (CRLF line ends,
lines of at most 998 octets, 7-bit unless --8bit/--smtputf8, no anomaly reported by the parser)
and the values that matter once parsed: addresses, subject, dates and ids, the part tree,
decoded bodies equal to the input files, filenames and content types. Refused input must exit 1
(2 for a malformed command line) and write nothing to stdout.
"""
import base64
import datetime
import json
import os
import subprocess
import sys

TOOL, DUMP, DATA = sys.argv[1], sys.argv[2], sys.argv[3]

NOTE = os.path.join(DATA, 'note.txt')
PAGE = os.path.join(DATA, 'page.html')
CHART = os.path.join(DATA, 'chart.png')
FORWARDED = os.path.join(DATA, 'forwarded.eml')
PDF_NAME = 'Übersicht März – Bericht für das Team 2026.pdf'
PDF = os.path.join(DATA, PDF_NAME)
LATIN1 = os.path.join(DATA, 'latin1.txt')

FROM = 'Anna Sender <anna@example.test>'


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def crlf(data):
    """Line ends of any kind made CRLF (what a text body becomes)."""
    return data.replace(b'\r\n', b'\n').replace(b'\r', b'\n').replace(b'\n', b'\r\n')


def run(args, stdin=b''):
    p = subprocess.run([TOOL] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


def parse(message):
    p = subprocess.run([DUMP, '--json', '--bodies', '-'], input=message, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60, check=True)
    return json.loads(p.stdout.decode('utf-8'))


def check_wire(message, eight_bit=False):
    """RFC 5322 §2.1.1 and §2.3: CRLF only, at most 998 octets a line; 7-bit without --8bit or
    --smtputf8 (RFC 2045 §2.7)."""
    lines = message.split(b'\r\n')
    assert lines[-1] == b'' or b'\n' not in lines[-1], 'output ends in a bare line end'
    for n, line in enumerate(lines, 1):
        assert b'\r' not in line and b'\n' not in line, 'bare CR or LF on line %d' % n
        assert len(line) <= 998, 'line %d is %d octets' % (n, len(line))
        assert b'\0' not in line, 'NUL on line %d' % n
    if not eight_bit:
        assert all(b < 0x80 for b in message), '8-bit byte in a 7-bit message'


def build(args, stdin=b'', eight_bit=False, anomalies_allowed=()):
    """Runs the tool on args that must succeed; returns (raw message, parsed JSON)."""
    rc, out, err = run(args, stdin)
    assert rc == 0, 'exit %d: %s' % (rc, err.strip())
    assert err == '', 'unexpected stderr: %s' % err.strip()
    check_wire(out, eight_bit)
    msg = parse(out)
    kinds = [a['kind'] for a in msg['anomalies']
             if a['kind'] not in anomalies_allowed and not quoted_word(out, a)]
    assert kinds == [], 'the parser repaired the output: %s' % kinds
    return out, msg


def quoted_word(message, anomaly):
    """libmailparse reports an encoded word that a quote delimits, as in the name="=?utf-8?..?="
    every mailer writes for old readers, as one glued to a word: not a fault of the output."""
    off = anomaly['offset']
    return anomaly['kind'] == 'encoded_word_in_word' and (
        message[off - 1:off] == b'"' or message[off:off + 1] == b'"')


def refused(args, status, stdin=b''):
    rc, out, err = run(args, stdin)
    assert rc == status, 'exit %d, expected %d (stderr: %s)' % (rc, status, err.strip())
    assert out == b'', 'something was written to stdout'
    assert err.startswith('mailbuild: '), 'no error message: %r' % err
    return err


def header_block(message):
    return message.split(b'\r\n\r\n', 1)[0]


def top_headers(msg, name):
    return [h for h in msg['parts'][0]['headers'] if h['name'].lower() == name.lower()]


def addr(name, address, group=None):
    return {'name': name, 'address': address, 'group': group}


def tree(msg, pid=0):
    """(content type, [children]) of part `pid`; a nested message's own parts are left out."""
    p = msg['parts'][pid]
    kids = [] if p['kind'] == 'message' else [tree(msg, c) for c in p['children']]
    return (p['content_type'], kids)


def leaf(msg, content_type, nth=0):
    found = [p for p in msg['parts'] if p['content_type'] == content_type]
    assert len(found) > nth, 'no %s part' % content_type
    return found[nth]


def body(part):
    if 'text' in part:
        return part['text'].encode('utf-8')
    return base64.b64decode(part['body_base64'])


# ---- the cases ------------------------------------------------------------------------------

def text_message_round_trips():
    out, msg = build(['--from', FROM, '--to', 'bob@example.test', '--subject', 'Report',
                      '--text', NOTE, '--date', '@1772443200', '--message-id', '<t1@example.test>'])
    assert msg['from'] == [addr('Anna Sender', 'anna@example.test')], msg['from']
    assert msg['to'] == [addr(None, 'bob@example.test')], msg['to']
    assert msg['subject'] == 'Report'
    assert msg['message_id'] == 't1@example.test'
    assert msg['date'] == '2026-03-02T09:20:00Z' and msg['date_offset'] == 0, msg['date']
    assert tree(msg) == ('text/plain', [])
    part = msg['parts'][0]
    assert body(part) == crlf(read(NOTE)), 'text body differs'
    assert part['charset'] == 'utf-8'
    assert part['encoding'] in ('quoted-printable', 'base64'), part['encoding']
    assert len(top_headers(msg, 'MIME-Version')) == 1


def every_shape_nests_as_documented():
    out, msg = build(['--from', FROM, '--to', 'bob@example.test', '--subject', 'All the parts',
                      '--attach', PDF, '--text', NOTE, '--html', PAGE,
                      '--inline', CHART + ':chart@example.test',
                      '--attach', FORWARDED, '--attach', CHART + ':image/x-test'])
    assert tree(msg) == ('multipart/mixed', [
        ('multipart/related', [
            ('multipart/alternative', [('text/plain', []), ('text/html', [])]),
            ('image/png', [])]),
        ('application/pdf', []),
        ('message/rfc822', []),
        ('image/x-test', [])]), tree(msg)
    assert body(leaf(msg, 'text/plain')) == crlf(read(NOTE))
    assert body(leaf(msg, 'text/html')) == crlf(read(PAGE))
    png = leaf(msg, 'image/png')
    assert body(png) == read(CHART), 'inline image bytes differ'
    assert png['content_id'] == 'chart@example.test'
    assert png['disposition'] == 'inline'
    assert png['filename'] == 'chart.png', png['filename']
    pdf = leaf(msg, 'application/pdf')
    assert body(pdf) == read(PDF), 'pdf bytes differ'
    assert pdf['filename'] == PDF_NAME, pdf['filename']
    assert pdf['disposition'] == 'attachment'
    custom = leaf(msg, 'image/x-test')
    assert body(custom) == read(CHART)
    assert custom['filename'] == 'chart.png'
    forwarded = leaf(msg, 'message/rfc822')
    assert forwarded['filename'] == 'forwarded.eml', forwarded['filename']
    nested = msg['parts'][forwarded['children'][0]]
    subjects = [h['value'] for h in nested['headers'] if h['name'].lower() == 'subject']
    assert subjects == ['the original'], subjects
    names = [(a['filename'], a['content_type']) for a in msg['attachments']]
    assert names == [('chart.png', 'image/png'), (PDF_NAME, 'application/pdf'),
                     ('forwarded.eml', 'message/rfc822'), ('chart.png', 'image/x-test')], names


def attachment_alone_is_the_body():
    out, msg = build(['--from', FROM, '--attach', CHART])
    assert tree(msg) == ('image/png', []), tree(msg)
    png = leaf(msg, 'image/png')
    assert body(png) == read(CHART)
    assert png['filename'] == 'chart.png' and png['disposition'] == 'attachment'


def text_from_stdin_gets_crlf():
    text = b'line one\nline two\r\nline three\rline four'
    out, msg = build(['--from', FROM, '--text', '-'], stdin=text)
    assert tree(msg) == ('text/plain', [])
    assert body(msg['parts'][0]) == crlf(text), body(msg['parts'][0])


def html_alone_from_stdin():
    out, msg = build(['--from', FROM, '--html', '-'], stdin=read(PAGE))
    assert tree(msg) == ('text/html', [])
    assert body(msg['parts'][0]) == crlf(read(PAGE))


def address_lists_and_groups():
    out, msg = build(['--from', FROM,
                      '--to', 'Zoë Example <zoe@example.test>, "Doe, John" <john@example.test>',
                      '--to', 'carol@example.test',
                      '--cc', 'Team: d@example.test, Eve <e@example.test>;',
                      '--bcc', 'hidden@example.test',
                      '--reply-to', 'Replies <replies@example.test>'])
    assert msg['to'] == [addr('Zoë Example', 'zoe@example.test'),
                         addr('Doe, John', 'john@example.test'),
                         addr(None, 'carol@example.test')], msg['to']
    assert msg['cc'] == [addr(None, 'd@example.test', 'Team'),
                         addr('Eve', 'e@example.test', 'Team')], msg['cc']
    assert msg['bcc'] == [addr(None, 'hidden@example.test')]
    assert msg['reply_to'] == [addr('Replies', 'replies@example.test')]
    assert len(top_headers(msg, 'To')) == 1, 'To written more than once'


def empty_group():
    out, msg = build(['--from', FROM, '--to', 'undisclosed-recipients:;'])
    to = top_headers(msg, 'To')
    assert len(to) == 1 and to[0]['groups'] == ['undisclosed-recipients'], to
    assert msg['to'] == []


def headers_and_ids():
    out, msg = build(['--from', FROM, '--header', 'X-Campaign: spring 2026',
                      '--header', 'Comments: Grüße aus Köln',
                      '--in-reply-to', '<a@example.test> <b@example.test>',
                      '--references', '<a@example.test>', '--references', 'b@example.test',
                      '--message-id', 'c@example.test'])
    assert [h['value'] for h in top_headers(msg, 'X-Campaign')] == ['spring 2026']
    assert [h['value'] for h in top_headers(msg, 'Comments')] == ['Grüße aus Köln']
    assert msg['in_reply_to'] == ['a@example.test', 'b@example.test'], msg['in_reply_to']
    assert msg['references'] == ['a@example.test', 'b@example.test'], msg['references']
    assert msg['message_id'] == 'c@example.test'


def rfc5322_date_keeps_its_zone():
    out, msg = build(['--from', FROM, '--date', 'Tue, 1 Jul 2003 10:52:37 +0200'])
    assert msg['date'] == '2003-07-01T08:52:37Z', msg['date']
    assert msg['date_offset'] == 120
    assert b'Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n' in header_block(out)


def default_date_and_message_id():
    out, msg = build(['--from', FROM, '--text', NOTE])
    assert msg['date'] is not None
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    stamp = top_headers(msg, 'Date')[0]['date']['timestamp']
    assert abs(stamp - now) < 600, 'Date is not now'
    assert msg['message_id'] and msg['message_id'].endswith('@example.test'), msg['message_id']


def long_subject_is_folded_and_decodes():
    subject = 'Grüße aus Köln — ' + ' '.join('Wort%d' % i for i in range(60)) + ' Ende'
    out, msg = build(['--from', FROM, '--subject', subject])
    assert msg['subject'] == subject, msg['subject']
    for line in header_block(out).split(b'\r\n'):
        assert len(line) <= 78, 'header line of %d columns' % len(line)


def eight_bit_text():
    out, msg = build(['--8bit', '--from', FROM, '--text', NOTE], eight_bit=True)
    part = msg['parts'][0]
    assert part['encoding'] == '8bit', part['encoding']
    assert body(part) == crlf(read(NOTE))
    assert all(b < 0x80 for b in header_block(out)), '8-bit header without --smtputf8'


def smtputf8_headers_are_raw_utf8():
    out, msg = build(['--smtputf8', '--from', 'Zoë <zoë@exämple.test>', '--to', 'bob@example.test',
                      '--subject', 'Grüße'], eight_bit=True, anomalies_allowed=('header_8bit',))
    assert msg['from'] == [addr('Zoë', 'zoë@exämple.test')], msg['from']
    assert msg['subject'] == 'Grüße'
    assert 'Subject: Grüße\r\n'.encode('utf-8') in header_block(out)


def non_ascii_address_needs_smtputf8():
    refused(['--from', 'zoë@exämple.test'], 1)


def line_breaks_in_values_are_refused():
    refused(['--from', FROM, '--to', 'bob@example.test\r\nBcc: eve@example.test'], 1)
    refused(['--from', FROM, '--to', 'bob@example.test\nBcc: eve@example.test'], 1)
    refused(['--from', 'Anna\r\n <anna@example.test>'], 1)
    refused(['--from', FROM, '--subject', 'hi\r\nBcc: eve@example.test'], 1)
    refused(['--from', FROM, '--header', 'X-A: b\r\nBcc: eve@example.test'], 1)
    refused(['--from', FROM, '--message-id', '<a@b\r\n.test>'], 1)


def bad_values_exit_1():
    refused(['--from', FROM, '--header', 'Bad Name: x'], 1)
    refused(['--from', FROM, '--header', 'Content-Type: text/html'], 1)
    refused(['--from', FROM, '--header', 'MIME-Version: 2.0'], 1)
    refused(['--from', FROM, '--to', 'not an address'], 1)
    refused(['--from', FROM, '--to', 'Just A Name <>'], 1)
    refused(['--from', FROM, '--to', 'a@example.test, <<broken'], 1)
    refused(['--from', FROM, '--date', 'yesterday'], 1)
    refused(['--from', FROM, '--message-id', 'no-at-sign'], 1)
    refused(['--from', FROM, '--text', os.path.join(DATA, 'no-such-file.txt')], 1)
    refused(['--from', FROM, '--attach', os.path.join(DATA, 'no-such-file.bin')], 1)


def usage_errors_exit_2():
    refused(['--bogus'], 2)
    refused(['--from'], 2)
    refused(['--from', FROM, 'stray'], 2)
    refused(['--from', FROM, '--header', 'NoColon'], 2)
    refused(['--from', FROM, '--inline', CHART], 2)
    refused(['--from', FROM, '--text', '-', '--html', '-'], 2)
    refused(['--smtputf8=yes'], 2)


def text_must_be_utf8():
    err = refused(['--from', FROM, '--text', LATIN1], 1)
    assert 'UTF-8' in err, err
    err = refused(['--from', FROM, '--attach', LATIN1 + ':text/plain'], 1)
    assert 'application/octet-stream' in err, err
    # a name that says text over bytes that are not UTF-8: the bytes go as they are
    out, msg = build(['--from', FROM, '--attach', LATIN1])
    part = leaf(msg, 'application/octet-stream')
    assert body(part) == read(LATIN1) and part['filename'] == 'latin1.txt'


def help_goes_to_stdout():
    rc, out, err = run(['--help'])
    assert rc == 0 and out.startswith(b'usage: mailbuild') and err == '', (rc, err)


CASES = [text_message_round_trips, every_shape_nests_as_documented,
         attachment_alone_is_the_body, text_from_stdin_gets_crlf, html_alone_from_stdin,
         address_lists_and_groups, empty_group, headers_and_ids, rfc5322_date_keeps_its_zone,
         default_date_and_message_id, long_subject_is_folded_and_decodes, eight_bit_text,
         smtputf8_headers_are_raw_utf8, non_ascii_address_needs_smtputf8,
         line_breaks_in_values_are_refused, bad_values_exit_1, usage_errors_exit_2,
         text_must_be_utf8, help_goes_to_stdout]


def main():
    failed = 0
    for case in CASES:
        try:
            case()
            print('ok   %s' % case.__name__)
        except AssertionError as e:
            failed += 1
            print('FAIL %s: %s' % (case.__name__, e))
    print('%d passed, %d failed' % (len(CASES) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
