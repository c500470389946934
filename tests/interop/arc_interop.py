#!/usr/bin/env python3
# arc_interop.py — ARC chains built and checked by libmailauth and its peers on real mail.
"""Usage: arc_interop.py --tool BUILD/examples/mailauth [--cache DIR] --workdir DIR
                       [--count N (150; ARC_INTEROP_COUNT)] [--node NODE]

Takes the first N SpamAssassin messages with exactly one From field (dkim_interop's corpus),
makes fresh RSA-2048 and Ed25519 keys published under two sealing domains, and builds ARC
chains of one and two hops. Before each hop the same field is put on top for every sealer,
"Authentication-Results: <that hop's authserv-id>; spf=pass smtp.mailfrom=..." (hop 2 adds
arc=pass: dkimpy takes cv= from it), then the hop's sealer adds its set:
  - hop 1: libmailauth (rsa-sha256), dkimpy (dkim.arc_sign) or npm mailauth (sealMessage);
  - hop 2: none, libmailauth rsa-sha256, libmailauth ed25519-sha256, dkimpy or mailauth
    (the peers seal rsa-sha256 only).
Every chain is verified by libmailauth (examples/mailauth arc-verify --zone), dkimpy
(dkim.arc_verify) and mailauth (lib/arc); each must say pass. A cell where libmailauth neither
sealed nor verifies is the peers among themselves: shown, never counted. A failure is counted
unless a divergence of DIVERGENCES (README.md, "ARC") names it — which needs the peer's check
redone the RFC's way to pass; a sealer that makes no set is a failure too. A control tampers
the chains libmailauth sealed last (TAMPERS): no verifier and no re-check may pass them.
Prints the matrix; exits 1 on a counted failure or an accepted control, 77 when no peer can
run."""
import os
import re
import subprocess
import sys
import time

from dkim_interop import ALGO_NAMES, collect_refused, peer_job, start
from find_peers import HERE

MAILFROM = 'sender@origin.example'
# A hop: its sealing domain and authserv-id, and the Authentication-Results put on top first.
HOPS = {
    1: {'domain': 'hop1.example', 'srv_id': 'mx.hop1.example',
        'results': f'spf=pass smtp.mailfrom={MAILFROM}'},
    2: {'domain': 'hop2.example', 'srv_id': 'mx.hop2.example',
        'results': f'arc=pass; spf=pass smtp.mailfrom={MAILFROM}'},
}
HOP1 = (('libmailauth', 'rsa'), ('dkimpy', 'rsa'), ('mailauth', 'rsa'))
HOP2 = (None, ('libmailauth', 'rsa'), ('libmailauth', 'ed25519'), ('dkimpy', 'rsa'),
        ('mailauth', 'rsa'))
VERIFIERS = ('libmailauth', 'dkimpy', 'mailauth')

# Failures a peer causes by design, each decided by the RFC text in README.md ("ARC"). A rule
# names the verifier, the chain shape, the reason the verifier gives and the field its peer
# script adds with the verdict of the same check done the RFC's way, which must be pass: so
# a rule cannot hide a chain that is wrong. (name, verifier, chain predicate, reason, field)
ED25519 = r"^unknown signature algorithm: b'ed25519-sha256'$"
DIVERGENCES = (
    ('dkimpy-rsa-only', 'dkimpy', lambda chain: any(a == 'ed25519' for _, a in chain),
     ED25519, 'with_ed25519'),
    ('mailauth-ed25519-seal', 'mailauth', lambda chain: chain[-1][1] == 'ed25519',
     r'^i=\d+ seal signature validation failed$', 'with_seal_hash'),
)


def label(chain):
    return ' > '.join(s if a == 'rsa' else f'{s}({a})' for s, a in chain)


def divergence(verifier, chain, record):
    for name, who, applies, pattern, field in DIVERGENCES:
        if (who == verifier and applies(chain) and re.search(pattern, record['reason'])
                and record.get(field) == 'pass'):
            return name
    return None


def add_results(items, hop, out_dir):
    """Puts the hop's Authentication-Results on top of each (name, path): [(name, src, dst)]."""
    field = f'Authentication-Results: {HOPS[hop]["srv_id"]}; {HOPS[hop]["results"]}\r\n'
    ar_dir = out_dir + '-in'
    os.makedirs(ar_dir)
    out = []
    for name, path in items:
        src = os.path.join(ar_dir, name + '.eml')
        with open(path, 'rb') as f, open(src, 'wb') as g:
            g.write(field.encode() + f.read())
        out.append((name, src, os.path.join(out_dir, name + '.eml')))
    return out


def seal_ours(tool, zone, keys, algo, hop, items):
    refused = []
    for name, src, dst in items:
        proc = subprocess.run([tool, 'arc-seal', '--key', keys[algo]['path'], '--selector', algo,
                               '--domain', HOPS[hop]['domain'], '--authserv-id',
                               HOPS[hop]['srv_id'], '--zone', zone, src],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode or not proc.stdout.startswith(b'ARC-Seal:'):
            refused.append((name, proc.stderr.decode(errors='replace').strip() or 'no set'))
            continue
        with open(dst, 'wb') as f:
            f.write(proc.stdout)
    return refused


def verify_ours(tool, zone, files):
    """{file: {'result', 'reason'}} from examples/mailauth arc-verify."""
    out = {}
    for path in files:
        proc = subprocess.run([tool, 'arc-verify', '--zone', zone, path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        m = re.match(r'arc=(\w+)(?: \((.*)\))?', proc.stdout) if proc.returncode == 0 else None
        out[path] = {'result': m.group(1), 'reason': m.group(2) or ''} if m else \
            {'result': 'error', 'reason': proc.stderr.strip()}
    return out


def tamper_aar1(message):
    """spf=pass made spf=fail in the ARC-Authentication-Results of i=1: every seal covers it."""
    head, sep, body = message.partition(b'\r\n\r\n')
    fields = re.split(rb'\r\n(?![ \t])', head)
    for k, field in enumerate(fields):
        if re.match(rb'(?i)arc-authentication-results:\s*i\s*=\s*1\s*;', field):
            fields[k] = field.replace(b'spf=pass', b'spf=fail', 1)
            break
    return b'\r\n'.join(fields) + sep + body


# The control: chains with one change no verifier may accept. Sets a peer's RFC-way re-check
# (DIVERGENCES) against them too, so a re-check that passes anything is caught.
TAMPER_COUNT = 20
TAMPERS = {
    'body': lambda m: m + b'tampered\r\n',  # the latest AMS body hash
    'aar1': tamper_aar1,
}


def tampered(files, kind, work, chain):
    out_dir = os.path.join(work, f'tamper-{kind}-' + '-'.join(f'{s}.{a}' for s, a in chain))
    os.makedirs(out_dir)
    out = []
    for name, path in files[:TAMPER_COUNT]:
        with open(path, 'rb') as f:
            before = f.read()
        after = TAMPERS[kind](before)
        if after == before:
            raise RuntimeError(f'tamper {kind} changed nothing in {path}')
        dst = os.path.join(out_dir, name + '.eml')
        with open(dst, 'wb') as f:
            f.write(after)
        out.append((name, dst))
    return out


def verify_all(args, present, cmds, zone, dns, work, paths, tag):
    """{verifier: {file: record}}."""
    out = {}
    for verifier in (v for v in VERIFIERS if v in present):
        if verifier == 'libmailauth':
            out[verifier] = verify_ours(args.tool, zone, paths)
        else:
            out[verifier] = {r['file']: r for r in peer_job(
                cmds[verifier], {'op': 'verify', 'dns': dns, 'files': paths}, work,
                f'{verifier}-verify-{tag}')}
    return out


class Sealing:
    """Builds the chains hop by hop; a chain's files are reused by the chains that extend it."""

    def __init__(self, args, work, zone, dns, keys, cmds):
        self.args, self.work, self.zone, self.dns, self.keys, self.cmds = \
            args, work, zone, dns, keys, cmds
        self.done = {(): ([], None)}  # chain -> ([(name, path)], refused or None)
        self.refused = {}             # chain -> [(name, why)] of its last hop

    def files(self, chain, sources):
        if chain in self.done:
            return self.done[chain][0]
        before = self.files(chain[:-1], sources) if chain[:-1] else sources
        sealer, algo = chain[-1]
        hop = len(chain)
        out_dir = os.path.join(self.work, 'chain-' + '-'.join(f'{s}.{a}' for s, a in chain))
        os.makedirs(out_dir)
        items = add_results(before, hop, out_dir)
        if sealer == 'libmailauth':
            refused = seal_ours(self.args.tool, self.zone, self.keys, algo, hop, items)
        else:
            job = {'op': 'seal', 'key': self.keys[algo]['pem'], 'selector': algo,
                   'domain': HOPS[hop]['domain'], 'srv_id': HOPS[hop]['srv_id'],
                   'auth_results': HOPS[hop]['results'], 'dns': self.dns,
                   'items': [[s, d] for _, s, d in items]}
            peer_job(self.cmds[sealer], job, self.work, f'{sealer}-seal-{len(self.done)}')
            refused = collect_refused(items)
        self.refused[chain] = refused
        files = [(n, d) for n, _, d in items if os.path.exists(d)]
        self.done[chain] = (files, refused)
        return files


def main():
    setup = start(__doc__, 'ARC_INTEROP_COUNT', 150, 'arc interop',
                  {f'{algo}._domainkey.{hop["domain"]}': algo
                   for algo in ALGO_NAMES for hop in HOPS.values()})
    if setup is None:
        return 77
    args, sources, keys, dns, zone, py, node = setup
    work = args.workdir
    cmds = {}
    if py:
        cmds['dkimpy'] = [py, os.path.join(HERE, 'peer_arc_dkimpy.py')]
    if node:
        cmds['mailauth'] = [node, os.path.join(HERE, 'peer_arc_mailauth.js')]
    for peer in ('dkimpy', 'mailauth'):
        if peer not in cmds:
            print(f'arc interop: {peer} not available: left out')
    if not cmds:
        return 77
    present = {'libmailauth'} | set(cmds)

    started = time.time()
    sealing = Sealing(args, work, zone, dns, keys, cmds)
    chains = [(h1,) + ((h2,) if h2 else ()) for h1 in HOP1 for h2 in HOP2
              if h1[0] in present and (h2 is None or h2[0] in present)]
    rows = {}  # (chain, verifier) -> [passed, total, counted failures, explained {name: n}]
    for chain in chains:
        files = sealing.files(chain, sources)
        verdicts = verify_all(args, present, cmds, zone, dns, work, [p for _, p in files],
                              len(rows))
        for verifier, got in verdicts.items():
            row = rows.setdefault((chain, verifier), [0, 0, [], {}])
            for name, path in files:
                record = got.get(path, {'result': 'missing', 'reason': ''})
                row[1] += 1
                if record['result'] == 'pass':
                    row[0] += 1
                    continue
                why = divergence(verifier, chain, record)
                if why:
                    row[3][why] = row[3].get(why, 0) + 1
                else:
                    row[2].append((name, record['result'], record['reason']))

    # The control, on the chains libmailauth sealed last.
    control = []  # (chain, kind, verifier, name, record) accepted
    control_total = 0
    for chain in chains:
        if len(chain) < 2 or chain[-1][0] != 'libmailauth':
            continue
        for kind in TAMPERS:
            files = tampered(sealing.files(chain, sources), kind, work, chain)
            verdicts = verify_all(args, present, cmds, zone, dns, work, [p for _, p in files],
                                  f'tamper-{kind}-{control_total}')
            for verifier, got in verdicts.items():
                for name, path in files:
                    control_total += 1
                    record = got.get(path, {'result': 'missing', 'reason': ''})
                    if record['result'] == 'pass' or any(
                            record.get(d[4]) == 'pass' for d in DIVERGENCES):
                        control.append((chain, kind, verifier, name, record))

    counted = 0
    print(f'ARC interop over {len(sources)} SpamAssassin messages ({time.time() - started:.0f} s)')
    width = max(len(label(c)) for c in chains) + 2
    print(f'{"sealer chain":<{width}}' + ''.join(f'{v:>14}' for v in VERIFIERS if v in present)
          + '   no set made')
    for chain in chains:
        ours = any(s == 'libmailauth' for s, _ in chain)
        cells = ''
        for verifier in (v for v in VERIFIERS if v in present):
            ok, total, _, _ = rows[(chain, verifier)]
            cells += f'{ok:>8}/{total:<5}'
        refused = sealing.refused.get(chain, [])
        print(f'{label(chain):<{width}}{cells}   {len(refused)}'
              + ('' if ours else '   (sealed by peers)'))
    print('failures (chain → verifier: message, result, reason):')
    for chain in chains:
        ours_sealed = any(s == 'libmailauth' for s, _ in chain)
        refused = sealing.refused.get(chain, [])
        if refused and ours_sealed:
            counted += len(refused)
            for name, why in refused[:5]:
                print(f'  {label(chain)}: no set made for {name}: {why[:200]}')
        for verifier in (v for v in VERIFIERS if v in present):
            _, _, fails, explained = rows[(chain, verifier)]
            for name, n in sorted(explained.items()):
                print(f'  {label(chain)} → {verifier}: {n} explained by divergence {name}')
            if not fails:
                continue
            counts = ours_sealed or verifier == 'libmailauth'
            if counts:
                counted += len(fails)
            print(f'  {label(chain)} → {verifier}: {len(fails)} '
                  f'{"FAILED" if counts else "failed (peers only, not counted)"}')
            for name, result, reason in fails[:5]:
                print(f'      {name}: {result} ({reason[:200]})')
    print(f'control: {control_total - len(control)}/{control_total} verdicts on tampered chains '
          f'({", ".join(TAMPERS)}; the first {TAMPER_COUNT} messages of each chain libmailauth '
          f'sealed last) were not pass')
    for chain, kind, verifier, name, record in control[:10]:
        print(f'  {label(chain)} tampered {kind} → {verifier}: ACCEPTED {name}: {record}')
    counted += len(control)
    print(f'{counted} counted failures')
    return 1 if counted else 0


if __name__ == '__main__':
    sys.exit(main())
