#!/usr/bin/env python3
"""examples/mailauth run on the files in tests/data/auth (a message, two test keys and a zone
file with their records, SPF, DMARC and reverse DNS of example.com).

usage: test_mailauth_tool.py MAILAUTH DATA_DIR

Checks the verdict lines of every command, that a signature made by dkim-sign verifies and
stops verifying when the body or a signed field changes, that `auth` writes one well-formed
Authentication-Results field, and the exit statuses: 0 whatever the verdicts, 1 when the tool
failed (a missing file, a bad key, a bad zone), 2 for a malformed command line.
"""
import os
import re
import subprocess
import sys
import tempfile

TOOL, DATA = sys.argv[1], sys.argv[2]
ZONE = os.path.join(DATA, 'example.zone')
MESSAGE = os.path.join(DATA, 'message.eml')
RSA = os.path.join(DATA, 'rsa.pem')
ED = os.path.join(DATA, 'ed25519.pem')
NOW = '1795000000'

failures = []


def run(args, stdin=b''):
    p = subprocess.run([TOOL] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def check(name, cond, detail=''):
    if not cond:
        failures.append(f'{name}: {detail}')


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def sign(key, selector, extra=()):
    rc, out, err = run(['dkim-sign', '--key', key, '--selector', selector, '--domain', 'example.com',
                        '--now', NOW, *extra, MESSAGE])
    check(f'dkim-sign {selector} exit', rc == 0, err)
    return out.encode()


def verify(message):
    rc, out, err = run(['dkim-verify', '--zone', ZONE, '--now', NOW, '-'], message)
    check('dkim-verify exit', rc == 0, err)
    return out.splitlines()


def test_dkim():
    msg = read(MESSAGE)
    check('unsigned message', verify(msg) == ['dkim=none (no signatures)'], verify(msg))
    rsa = sign(RSA, 'rsa')
    head, _, _ = rsa.partition(msg)
    check('signature on top, message unchanged', rsa.endswith(msg) and head.startswith(b'DKIM-Signature: '))
    check('signature folded within 78 columns',
          all(len(line) <= 78 for line in head.split(b'\r\n')), head)
    check('deterministic RSA signature', sign(RSA, 'rsa') == rsa)
    lines = verify(rsa)
    check('rsa pass', len(lines) == 1 and lines[0].startswith('dkim=pass header.d=example.com ')
          and 'header.s=rsa header.a=rsa-sha256' in lines[0], lines)

    both = sign(ED, 'ed', ['--canon', 'simple/simple'])
    with tempfile.NamedTemporaryFile(suffix='.eml') as f:
        f.write(rsa)
        f.flush()
        rc, out, err = run(['dkim-sign', '--key', ED, '--selector', 'ed', '--domain', 'example.com',
                            '--now', NOW, '--canon', 'simple/simple', f.name])
        both = out.encode()
    lines = verify(both)
    check('two signatures, top-most first', [l.split()[0] for l in lines] == ['dkim=pass', 'dkim=pass']
          and 'header.a=ed25519-sha256' in lines[0] and 'header.a=rsa-sha256' in lines[1], lines)

    body = both.replace(b'noon?', b'one?')
    lines = verify(body)
    check('changed body fails both', all(l.startswith('dkim=fail (body hash') for l in lines), lines)
    subject = both.replace(b'Subject: Lunch', b'Subject: Dinner')
    lines = verify(subject)
    check('changed signed field fails', all(l.startswith('dkim=fail (') for l in lines)
          and all('body hash' not in l for l in lines), lines)
    # relaxed/relaxed survives re-folding and case changes of names; simple/simple does not
    refolded = both.replace(b'Subject: Lunch on Friday', b'subject:  Lunch on\r\n Friday')
    lines = verify(refolded)
    check('relaxed survives refolding, simple does not',
          lines[0].startswith('dkim=fail') and lines[1].startswith('dkim=pass'), lines)

    rc, out, err = run(['dkim-sign', '--key', ED, '--selector', 'ed', '--domain', 'example.com',
                        '--algo', 'rsa', MESSAGE])
    check('--algo must fit the key', rc == 1 and out == '' and 'not an rsa key' in err, (rc, err))
    rc, out, err = run(['dkim-sign', '--key', MESSAGE, '--selector', 's', '--domain', 'example.com',
                        MESSAGE])
    check('not a key', rc == 1 and out == '', (rc, err))
    rc, out, err = run(['dkim-sign', '--key', RSA, '--selector', 's', '--domain', 'example.com', '-'],
                       b'To: a@example.net\r\n\r\nno From\r\n')
    check('no From: refused', rc == 1 and out == '', (rc, err))


def spf(ip, helo, sender):
    rc, out, err = run(['spf', '--zone', ZONE, '--ip', ip, '--helo', helo, '--sender', sender])
    check('spf exit', rc == 0, err)
    return out.splitlines()


def test_spf():
    check('spf pass', spf('192.0.2.10', 'mail.example.com', 'joe@example.com') ==
          ['spf=pass smtp.mailfrom=joe@example.com', 'spf=pass smtp.helo=mail.example.com'])
    lines = spf('198.51.100.7', 'mail.example.com', 'joe@example.com')
    check('spf softfail and helo fail', lines[0] == 'spf=softfail smtp.mailfrom=joe@example.com'
          and lines[1].startswith('spf=fail (') and lines[1].endswith('smtp.helo=mail.example.com'), lines)
    lines = spf('2001:db8::5', 'unknown.example.net', '')
    check('null sender checks postmaster@helo',
          lines[0] == 'spf=none (no SPF record) smtp.mailfrom=postmaster@unknown.example.net'
          or lines[0].startswith('spf=none') and 'postmaster@unknown.example.net' in lines[0], lines)
    rc, out, err = run(['spf', '--zone', ZONE, '--ip', 'not-an-ip', '--helo', 'h', '--sender', 'a@b.c'])
    check('bad ip is a usage error', rc == 2, (rc, err))
    rc, out, err = run(['spf', '--zone', ZONE, '--ip', '192.0.2.1'])
    check('missing options', rc == 2 and out == '', (rc, err))


def test_dmarc_and_auth():
    signed = sign(RSA, 'rsa')
    with tempfile.NamedTemporaryFile(suffix='.eml') as f:
        f.write(signed)
        f.flush()
        rc, out, err = run(['dmarc', f.name, '--zone', ZONE, '--now', NOW, '--ip', '203.0.113.5',
                            '--helo', 'relay.example.net', '--sender', 'joe@example.com'])
        check('dmarc exit', rc == 0, err)
        last = out.splitlines()[-1]
        check('dmarc passes on aligned DKIM alone', last.startswith('dmarc=pass ') and
              'header.from=example.com' in last and 'policy.dmarc=reject' in last, out)

        rc, out, err = run(['auth', f.name, '--zone', ZONE, '--now', NOW, '--ip', '192.0.2.10',
                            '--helo', 'mail.example.com', '--sender', 'joe@example.com',
                            '--authserv-id', 'mx.example.net'])
        check('auth exit', rc == 0, err)
        check('one A-R field', out.startswith('Authentication-Results: mx.example.net;\r\n')
              and out.endswith('\r\n') and all(l.startswith('\t') for l in out.split('\r\n')[1:-1]), out)
        flat = re.sub(r'\r\n\t', ' ', out)
        for part in ('iprev=pass (mail.example.com) policy.iprev=192.0.2.10;',
                     'spf=pass smtp.mailfrom=joe@example.com;', 'spf=pass smtp.helo=mail.example.com;',
                     'dkim=pass header.d=example.com', 'dmarc=pass (p=reject dis=none) header.from=example.com'):
            check(f'auth has {part}', part in flat, flat)

    # Unsigned, from an address outside the SPF record: DMARC fails and asks for reject.
    rc, out, err = run(['dmarc', MESSAGE, '--zone', ZONE, '--ip', '198.51.100.1',
                        '--helo', 'forged.example.org', '--sender', 'joe@example.com'])
    last = out.splitlines()[-1] if out else ''
    check('dmarc fail with reject', rc == 0 and last.startswith('dmarc=fail ') and
          'policy.disposition=reject' in last, out)
    rc, out, err = run(['auth', MESSAGE, '--zone', ZONE, '--ip', '192.0.2.20', '--helo', 'x.example.org',
                        '--sender', 'joe@example.com'])
    check('iprev fail when the PTR name does not map back',
          'iprev=fail' in out and 'policy.iprev=192.0.2.20' in out, out)


def test_arc():
    def seal(message, key, selector, authserv):
        with tempfile.NamedTemporaryFile(suffix='.eml') as f:
            f.write(message)
            f.flush()
            rc, out, err = run(['arc-seal', '--key', key, '--selector', selector, '--domain',
                                'example.com', '--authserv-id', authserv, '--zone', ZONE,
                                '--now', NOW, f.name])
        check(f'arc-seal {selector} exit', rc == 0, err)
        return out.encode()

    def arc_verify(message):
        rc, out, err = run(['arc-verify', '--zone', ZONE, '-'], message)
        check('arc-verify exit', rc == 0, err)
        return out.splitlines()

    msg = read(MESSAGE)
    check('no ARC sets', arc_verify(msg) == ['arc=none'], arc_verify(msg))
    hop1 = seal(msg, ED, 'ed', 'mx1.example.com')
    check('hop 1 adds i=1 with cv=none', hop1.startswith(b'ARC-Seal: ') and b'i=1;' in hop1
          and b'cv=none' in hop1 and hop1.endswith(msg))
    hop2 = seal(hop1, RSA, 'rsa', 'mx2.example.com')
    lines = arc_verify(hop2)
    check('two hops pass', lines[:1] == ['arc=pass'] and len(lines) == 3 and
          lines[1].startswith('  i=2 seal=pass'), lines)
    check('hop 2 seals cv=pass', b'cv=pass' in hop2.split(b'ARC-Seal: ', 2)[1])
    lines = arc_verify(hop2.replace(b'noon?', b'one?'))
    check('changed body fails the latest AMS', lines[:1] == ['arc=fail (ARC-Message-Signature did not verify)'], lines)
    lines = arc_verify(hop2.replace(b'i=1; mx1.example.com; none', b'i=1; mx1.example.com; spf=pass'))
    check('changed AAR fails a seal', lines[:1] and lines[0].startswith('arc=fail') and
          'Message-Signature' not in lines[0], lines)
    broken = seal(hop2.replace(b'noon?', b'one?'), ED, 'ed', 'mx3.example.com')
    check('a broken chain is sealed cv=fail', b'cv=fail' in broken.split(b'\r\n\r\n')[0], broken[:300])
    rc, out, err = run(['arc-seal', '--key', ED, '--selector', 'ed', '--domain', 'example.com',
                        '--zone', ZONE, MESSAGE])
    check('arc-seal needs --authserv-id', rc == 2, (rc, err))


def test_usage():
    rc, out, err = run([])
    check('no command', rc == 2, (rc, err))
    rc, out, err = run(['frobnicate'])
    check('unknown command', rc == 2, (rc, err))
    rc, out, err = run(['dkim-verify', '--zone', ZONE, '--bogus', MESSAGE])
    check('unknown option', rc == 2, (rc, err))
    rc, out, err = run(['dkim-verify', '--zone', ZONE, os.path.join(DATA, 'missing.eml')])
    check('missing file', rc == 1, (rc, err))
    with tempfile.NamedTemporaryFile(suffix='.zone') as f:
        f.write(b'example.com. 300 IN TXT "unterminated\n')
        f.flush()
        rc, out, err = run(['dkim-verify', '--zone', f.name, MESSAGE])
        check('bad zone file names its line', rc == 1 and ':1:' in err, (rc, err))
    rc, out, err = run(['--help'])
    check('help', rc == 0 and 'dkim-sign' in out and 'auth FILE' in out, (rc, err))


for test in (test_dkim, test_arc, test_spf, test_dmarc_and_auth, test_usage):
    test()
for f in failures:
    print('FAIL', f)
print(f'{len(failures)} failures')
sys.exit(1 if failures else 0)
