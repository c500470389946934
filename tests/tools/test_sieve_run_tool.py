#!/usr/bin/env python3
"""examples/sieve-run on small scripts and a message written here.

usage: test_sieve_run_tool.py SIEVE_RUN

Checks the action lines on stdout, the envelope options, the --trace lines on stderr (each
command and test run with its line and outcome, each action added), that tracing leaves the
result alone, the editheader edits printed among the actions, the message --message-out writes
(replace/enclose's rebuild with the header edits made), and the exit statuses: 0 after a run, 1
for a script that does not compile or fails while running, 2 for a malformed command line.
"""
import os
import subprocess
import sys
import tempfile

TOOL = os.path.abspath(sys.argv[1])
MESSAGE = (b'From: Alice <alice@example.com>\r\n'
           b'To: bob@example.org\r\n'
           b'Subject: [acme] weekly report\r\n'
           b'X-Spam-Flag: NO\r\n'
           b'\r\n'
           b'Hello.\r\n')
SCRIPT = '''require ["fileinto", "envelope"];
if header :contains "X-Spam-Flag" "YES" {
    discard;
    stop;
}
if anyof (header :matches "Subject" "*[acme]*",
          envelope :is "from" "list@example.net") {
    fileinto "Lists/acme";
}
keep;
'''

failures = []


def check(name, cond, detail=''):
    if not cond:
        failures.append(f'{name}: {detail}')


def run(args, work):
    p = subprocess.run([TOOL] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60,
                       cwd=work)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def write(work, name, data):
    path = os.path.join(work, name)
    with open(path, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return name


def test_run(work):
    script = write(work, 'rules.sieve', SCRIPT)
    msg = write(work, 'message.eml', MESSAGE)
    rc, out, err = run([script, msg], work)
    check('run exit', rc == 0, (rc, err))
    check('run actions', out.splitlines() == ['fileinto "Lists/acme"', 'keep'], out)
    check('no trace without --trace', err == '', err)
    rc, out, err = run([script, msg, '--from', 'list@example.net'], work)
    check('envelope run', rc == 0 and out.splitlines() == ['fileinto "Lists/acme"', 'keep'],
          (rc, out, err))


def test_trace(work):
    script = write(work, 'rules.sieve', SCRIPT)
    msg = write(work, 'message.eml', MESSAGE)
    rc, out, err = run([script, msg, '--trace'], work)
    check('trace exit', rc == 0, (rc, err))
    check('trace keeps the result', out.splitlines() == ['fileinto "Lists/acme"', 'keep'], out)
    # anyof stops at its first true test: the envelope test does not run.
    want = ['rules.sieve:2: header: false',
            'rules.sieve:6: header: true',
            'rules.sieve:8: fileinto',
            'rules.sieve:8:   -> fileinto "Lists/acme"',
            'rules.sieve:10: keep',
            'rules.sieve:10:   -> keep']
    check('trace lines', err.splitlines() == want, err)
    spam = write(work, 'spam.eml', MESSAGE.replace(b'X-Spam-Flag: NO', b'X-Spam-Flag: YES'))
    rc, out, err = run([script, spam, '--trace'], work)
    check('trace of a stop', rc == 0 and out.splitlines() == ['discard'], (rc, out))
    check('trace lines of a stop', err.splitlines() == ['rules.sieve:2: header: true',
                                                         'rules.sieve:3: discard',
                                                         'rules.sieve:3:   -> discard'], err)
    # A run-time error: the failing command is traced with the error, then reported.
    bad = write(work, 'bad.sieve', 'require "variables";\nset "a" "x";\nredirect "${a}";\n')
    rc, out, err = run([bad, msg, '--trace'], work)
    lines = err.splitlines()
    check('trace of a failure exit', rc == 1, (rc, err))
    check('trace of a failure', len(lines) == 3 and lines[0] == 'bad.sieve:2: set'
          and lines[1].startswith('bad.sieve:3: redirect: failed (')
          and lines[2] == 'bad.sieve:3:1: error: invalid redirect address "${a}"', err)
    check('a failed run keeps', out.splitlines() == ['keep (implicit)'], out)


def read(work, name):
    with open(os.path.join(work, name), 'rb') as f:
        return f.read()


EDITS = '''require ["editheader", "fileinto"];
addheader "X-Sieve-Seen" "yes";
fileinto "Seen";
deleteheader "X-Spam-Flag";
addheader :last "X-Tail" "end";
keep;
'''


def test_header_edits(work):
    script = write(work, 'edits.sieve', EDITS)
    msg = write(work, 'message.eml', MESSAGE)
    rc, out, err = run([script, msg, '--message-out', 'out.eml'], work)
    check('edits exit', rc == 0, (rc, err))
    check('edits where the script made them', out.splitlines() == [
        'addheader "X-Sieve-Seen" "yes"',
        'fileinto "Seen"',
        'deleteheader :index 1 "X-Spam-Flag" "NO"',
        'addheader :last "X-Tail" "end"',
        'keep'], out)
    want = (b'X-Sieve-Seen: yes\r\n' +
            MESSAGE.replace(b'X-Spam-Flag: NO\r\n', b'')
                   .replace(b'\r\n\r\n', b'\r\nX-Tail: end\r\n\r\n', 1))
    check('edited message', read(work, 'out.eml') == want, read(work, 'out.eml'))
    rc, out2, err = run([script, msg], work)
    check('same lines without --message-out', rc == 0 and out2 == out, (rc, out2, err))


REPLACE = '''require ["replace", "editheader"];
addheader "X-Before" "1";
replace "Report removed.";
addheader "X-After" "2";
'''


def test_message_out(work):
    msg = write(work, 'message.eml', MESSAGE)
    # Nothing rebuilt or edited: the message as received, byte for byte.
    script = write(work, 'plain.sieve', SCRIPT)
    rc, out, err = run([script, msg, '--message-out', 'plain.eml'], work)
    check('plain exit', rc == 0, (rc, err))
    check('plain message', read(work, 'plain.eml') == MESSAGE, read(work, 'plain.eml'))
    # replace rebuilds the message; the edit before it is in the rebuild, the one after it
    # is made on top.
    script = write(work, 'replace.sieve', REPLACE)
    rc, out, err = run([script, msg, '--message-out', 'replaced.eml'], work)
    check('replace exit', rc == 0, (rc, err))
    check('replace lines', out.splitlines() == ['addheader "X-Before" "1"',
                                               'addheader "X-After" "2"', 'keep (implicit)'], out)
    got = read(work, 'replaced.eml')
    head, _, body = got.partition(b'\r\n\r\n')
    fields = head.split(b'\r\n')
    check('rebuilt body', b'Report removed.' in body and b'Hello.' not in body, got)
    check('edit after the rebuild on top', fields[0] == b'X-After: 2', got)
    check('edit before the rebuild kept', b'X-Before: 1' in fields, got)
    check('header fields kept', b'From: Alice <alice@example.com>' in fields and
          b'Subject: [acme] weekly report' in fields, got)
    rc, out, err = run([script, msg, '--message-out', os.path.join(work, 'no', 'such', 'dir')],
                       work)
    check('unwritable file', rc == 1 and 'such' in err, (rc, err))


def test_usage(work):
    script = write(work, 'rules.sieve', SCRIPT)
    rc, out, err = run([], work)
    check('no arguments', rc == 2, (rc, err))
    rc, out, err = run([script, 'message.eml', '--bogus'], work)
    check('unknown option', rc == 2, (rc, err))
    rc, out, err = run([script, 'missing.eml'], work)
    check('missing message', rc == 1, (rc, err))
    broken = write(work, 'broken.sieve', 'if header :is "a" {\n')
    rc, out, err = run([broken, '--compile-only'], work)
    check('compile error', rc == 1 and err.startswith('broken.sieve:'), (rc, err))
    rc, out, err = run([script, '--compile-only'], work)
    check('compile only', rc == 0 and out == '', (rc, out, err))
    rc, out, err = run(['--help'], work)
    check('help', rc == 0 and '--trace' in out, (rc, out))


with tempfile.TemporaryDirectory() as work:
    for test in (test_run, test_trace, test_header_edits, test_message_out, test_usage):
        test(work)
for f in failures:
    print('FAIL', f)
print(f'{len(failures)} failures')
sys.exit(1 if failures else 0)
