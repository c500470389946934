#!/usr/bin/env python3
# sieve_interop.py — libsieve's decisions beside Pigeonhole's sieve-test on real mail.
"""Usage: sieve_interop.py --tool BUILD/examples/sieve-run --workdir DIR [--cache DIR]
                         [--scripts N (300; SIEVE_INTEROP_SCRIPTS)] [--messages M (40)]
                         [--seed S]

Generates N random but valid Sieve scripts from the features both engines implement (the
core tests and actions, fileinto, envelope, subaddress, copy, relational with
i;ascii-numeric, comparators, allof/anyof/not, if/elsif/else, stop, and the extensions
libsieve has so far) and runs each on two of the first M usable messages of the SpamAssassin
public corpus, with a fixed envelope, through `sieve-run` (ours) and Pigeonhole's `sieve-test`
(Debian dovecot-sieve; run as `nobody` when we are root, as it refuses to run as root). Both
outputs are reduced to the same multiset of actions: `store:FOLDER` (keep and the implicit keep
are `store:INBOX`), `redirect:ADDRESS`, `discard` (only when nothing else is done, as
sieve-test reports it). Prints the agreement and the first differences; exits 1 when any run
differs or either engine fails on a script the other runs, 77 when sieve-test is missing.

One difference is named and counted apart: a script that does the same fileinto or redirect
both with and without :copy. Pigeonhole merges the two and lets the later one's :copy decide
whether the implicit keep stays; RFC 3894 §3 and RFC 5228 §2.10.2 say an action without
:copy cancels the implicit keep whatever else is done, which is what libsieve does, so there
sieve-test has an extra store:INBOX."""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys

from dkim_interop import prepare_corpus

SENDER = 'owner-list@lists.example.org'
RECIPIENT = 'bob+folder@example.org'

HEADERS = ['subject', 'from', 'to', 'cc', 'x-mailer', 'received', 'message-id', 'date',
           'content-type', 'x-spam-status', 'reply-to', 'list-id', 'precedence']
ADDRESS_HEADERS = ['from', 'to', 'cc', 'reply-to', 'sender']
WORDS = ['money', 'free', 'the', 'a', 're:', 'fw', 'linux', 'list', 'example', 'com', 'net',
         'mail', 'update', '2002', 'spam', 'yahoo', 'hotmail', 'org', 'http', 'sourceforge',
         '', 'x', 'E', 'USA', 'jm', 'zzzz', 'irish', 'exmh', 'razor']
FOLDERS = ['Junk', 'Lists', 'Archive', 'INBOX', 'Work/Reports', 'Fancy Name']


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.require = set()

    def word(self):
        return self.r.choice(WORDS)

    def pattern(self, match):
        w = self.word()
        if match == ':matches':
            return self.r.choice(['*%s*' % w, '%s*' % w, '*', '?*', '*@*.%s' % w, '*%s?' % w])
        return w

    def quote(self, s):
        return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')

    def keys(self, match):
        n = self.r.choice([1, 1, 2, 3])
        ks = [self.quote(self.pattern(match)) for _ in range(n)]
        return ks[0] if n == 1 and self.r.random() < 0.5 else '[%s]' % ', '.join(ks)

    def comparator(self):
        c = self.r.choice([None, None, 'i;ascii-casemap', 'i;octet'])
        return ' :comparator "%s"' % c if c else ''

    def match_type(self):
        return self.r.choice([':is', ':contains', ':matches', ':contains'])

    def relational(self, names):
        self.require.update(['relational', 'comparator-i;ascii-numeric'])
        kind = self.r.choice([':count', ':value'])
        rel = self.r.choice(['gt', 'ge', 'lt', 'le', 'eq', 'ne'])
        key = str(self.r.choice([0, 1, 2, 3, 5, 10, 100, 2002]))
        return '%s "%s" :comparator "i;ascii-numeric" %s "%s"' % (kind, rel, names, key)

    def names(self, pool):
        n = self.r.choice([1, 1, 2])
        picked = self.r.sample(pool, n)
        return self.quote(picked[0]) if n == 1 else '[%s]' % ', '.join(map(self.quote, picked))

    def address_part(self):
        p = self.r.choice(['', '', ':all', ':localpart', ':domain', ':user', ':detail'])
        if p in (':user', ':detail'):
            self.require.add('subaddress')
        return (' ' + p) if p else ''

    def test(self, depth=0):
        kinds = ['header', 'header', 'address', 'envelope', 'exists', 'size', 'true', 'false']
        if depth < 2:
            kinds += ['allof', 'anyof', 'not']
        k = self.r.choice(kinds)
        if k in ('allof', 'anyof'):
            return '%s (%s)' % (k, ', '.join(self.test(depth + 1)
                                             for _ in range(self.r.choice([1, 2, 3]))))
        if k == 'not':
            return 'not ' + self.test(depth + 1)
        if k in ('true', 'false'):
            return k
        if k == 'exists':
            return 'exists ' + self.names(HEADERS)
        if k == 'size':
            return 'size %s %s' % (self.r.choice([':over', ':under']),
                                   self.r.choice(['1K', '3K', '500', '10K', '2000']))
        if k == 'envelope':
            self.require.add('envelope')
            names = self.names(['from', 'to'])
            part = self.address_part()
        elif k == 'address':
            names = self.names(ADDRESS_HEADERS)
            part = self.address_part()
        else:
            names = self.names(HEADERS)
            part = ''
        if self.r.random() < 0.15:
            return '%s%s %s' % (k, part, self.relational(names))
        m = self.match_type()
        return '%s%s %s%s %s %s' % (k, part, m, self.comparator(), names, self.keys(m))

    def action(self):
        a = self.r.choice(['keep', 'discard', 'fileinto', 'fileinto', 'redirect', 'stop'])
        if a == 'fileinto':
            self.require.add('fileinto')
            copy = ''
            if self.r.random() < 0.3:
                self.require.add('copy')
                copy = ':copy '
            return 'fileinto %s%s;' % (copy, self.quote(self.r.choice(FOLDERS)))
        if a == 'redirect':
            copy = ''
            if self.r.random() < 0.3:
                self.require.add('copy')
                copy = ':copy '
            return 'redirect %s"%s@example.net";' % (copy, self.r.choice(['a', 'b', 'list']))
        return a + ';'

    def block(self, depth):
        out = []
        for _ in range(self.r.choice([1, 1, 2])):
            if depth < 2 and self.r.random() < 0.25:
                out.append(self.if_chain(depth + 1))
            else:
                out.append(self.action())
        return ' '.join(out)

    def if_chain(self, depth=0):
        s = 'if %s { %s }' % (self.test(), self.block(depth))
        for _ in range(self.r.choice([0, 0, 1, 2])):
            s += ' elsif %s { %s }' % (self.test(), self.block(depth))
        if self.r.random() < 0.4:
            s += ' else { %s }' % self.block(depth)
        return s

    def script(self):
        self.require = set()
        body = '\n'.join(self.if_chain() if self.r.random() < 0.85 else self.action()
                         for _ in range(self.r.choice([1, 2, 3])))
        req = ('require [%s];\n' % ', '.join('"%s"' % x for x in sorted(self.require))
               if self.require else '')
        return req + body + '\n'


def normalise_ours(out):
    acts = []
    for line in out.splitlines():
        line = line.strip()
        if not line:
            continue
        m = re.match(r'(\w+)(?: "((?:[^"\\]|\\.)*)")?', line)
        kind, target = m.group(1), (m.group(2) or '').replace('\\"', '"').replace('\\\\', '\\')
        if kind == 'keep':
            acts.append('store:INBOX')
        elif kind == 'fileinto':
            acts.append('store:' + target)
        elif kind == 'redirect':
            acts.append('redirect:' + target.lower())
        else:
            acts.append(kind)
    return finish(acts)


def normalise_pigeonhole(out):
    acts = []
    for line in out.splitlines():
        m = re.match(r'\s*\* (store message in folder: (.*)|redirect message to: <(.*)>|discard)$',
                     line)
        if not m:
            continue
        if m.group(2) is not None:
            acts.append('store:' + m.group(2))
        elif m.group(3) is not None:
            acts.append('redirect:' + m.group(3).lower())
        else:
            acts.append('discard')
    return finish(acts)


def finish(acts):
    uniq = sorted(set(acts))
    if len(uniq) > 1 and 'discard' in uniq:
        uniq.remove('discard')
    return uniq


def copy_divergence(text, ours, theirs):
    """The named difference: only store:INBOX differs, and some fileinto/redirect target is
    written both with and without :copy."""
    if set(ours) ^ set(theirs) != {'store:INBOX'} or 'store:INBOX' in ours:
        return False
    for verb in ('fileinto', 'redirect'):
        plain = set(re.findall(verb + r' ("[^"]*")', text))
        copied = set(re.findall(verb + r' :copy ("[^"]*")', text))
        if plain & copied:
            return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--cache')
    ap.add_argument('--scripts', type=int,
                    default=int(os.environ.get('SIEVE_INTEROP_SCRIPTS', '300')))
    ap.add_argument('--messages', type=int, default=40)
    ap.add_argument('--seed', type=int, default=5228)
    args = ap.parse_args()
    peer = shutil.which('sieve-test')
    if not peer:
        print('sieve_interop: sieve-test (Debian dovecot-sieve) not installed: skipped')
        return 77
    sources = prepare_corpus(args.cache, args.workdir, args.messages, 'sieve_interop')
    if not sources:
        return 77
    as_user = ['runuser', '-u', 'nobody', '--'] if os.geteuid() == 0 else []
    sdir = os.path.join(args.workdir, 'scripts')
    os.makedirs(sdir, exist_ok=True)
    os.chmod(args.workdir, 0o755)
    os.chmod(sdir, 0o777)
    for _, path in sources:
        os.chmod(path, 0o644)
    os.chmod(os.path.join(args.workdir, 'in'), 0o755)
    rng = random.Random(args.seed)
    gen = Gen(rng)
    same = runs = named = 0
    diffs, failures = [], []
    for i in range(args.scripts):
        text = gen.script()
        spath = os.path.join(sdir, 's%04d.sieve' % i)
        with open(spath, 'w') as f:
            f.write(text)
        os.chmod(spath, 0o644)
        for name, mpath in rng.sample(sources, 2):
            runs += 1
            ours = subprocess.run([args.tool, spath, mpath, '--from', SENDER, '--to', RECIPIENT],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            theirs = subprocess.run(as_user + [peer, '-f', SENDER, '-r', RECIPIENT, spath, mpath],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    errors='replace')
            if ours.returncode or theirs.returncode:
                failures.append((spath, name, ours.returncode, ours.stderr.strip()[:200],
                                 theirs.returncode, theirs.stderr.strip()[:200]))
                continue
            a, b = normalise_ours(ours.stdout), normalise_pigeonhole(theirs.stdout)
            if a == b:
                same += 1
            elif copy_divergence(text, a, b):
                named += 1
            else:
                diffs.append((spath, name, a, b))
    print(f'sieve interop: {args.scripts} scripts x 2 messages = {runs} runs; '
          f'{same} agree with sieve-test, {named} differ only by the named :copy duplicate '
          f'rule, {len(diffs)} differ otherwise, {len(failures)} failed to run')
    for spath, name, a, b in diffs[:20]:
        print(f'  DIFF {os.path.basename(spath)} on {name}: ours {a} sieve-test {b}')
    for f in failures[:20]:
        print(f'  FAIL {os.path.basename(f[0])} on {f[1]}: ours rc={f[2]} {f[3]!r}; '
              f'sieve-test rc={f[4]} {f[5]!r}')
    return 1 if diffs or failures else 0


if __name__ == '__main__':
    sys.exit(main())
