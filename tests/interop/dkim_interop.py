#!/usr/bin/env python3
# dkim_interop.py — DKIM signatures exchanged between libmailauth and its peers on real mail.
"""Usage: dkim_interop.py --tool BUILD/examples/mailauth [--cache DIR] --workdir DIR
                        [--count N (300; DKIM_INTEROP_COUNT)] [--node NODE]

Takes the first N messages (sorted by name) of the SpamAssassin public corpus that have exactly
one From field, with CRLF line ends, and for each algorithm (rsa-sha256 with a fresh 2048-bit
key, ed25519-sha256) and canonicalisation (simple/simple, relaxed/relaxed):
  - signs them with libmailauth (examples/mailauth dkim-sign) and verifies the result with
    dkimpy (Debian python3-dkim) and npm mailauth;
  - signs them with dkimpy, npm mailauth and OpenDKIM (opendkim-testmsg, rsa only) and
    verifies those with libmailauth (examples/mailauth dkim-verify --zone);
  - verifies libmailauth's own signatures with libmailauth.
Every pair must verify every message it signed; a signer that refuses a message (reported
with the reason) is counted apart. A peer that is not installed is left out with a note.
Prints the matrix; exits 1 on any verification failure, 77 when no peer could run."""
import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time

from find_peers import HERE, mailauth_node, python_with
from interop_zone import txt_zone_text

DOMAIN = 'example.com'
ALGOS = ('rsa', 'ed25519')
CANONS = ('simple/simple', 'relaxed/relaxed')
ALGO_NAMES = {'rsa': 'rsa-sha256', 'ed25519': 'ed25519-sha256'}
# opendkim-testmsg signs with OpenDKIM's defaults, which it does not let us change: rsa-sha1
# and relaxed/simple; libmailauth verifies those with --allow-sha1 (RFC 8301 forbids
# accepting rsa-sha1 by default).
OPENDKIM_LABELS = ('rsa-sha1', 'relaxed/simple')


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def corpus_messages(data_dir, count):
    """The first `count` usable messages as CRLF bytes, keyed by a short name."""
    names = []
    for root, _, files in os.walk(data_dir):
        for f in files:
            names.append(os.path.join(root, f))
    out = []
    for path in sorted(names):
        with open(path, 'rb') as f:
            raw = f.read()
        if len(raw) > 1 << 20:
            continue
        text = re.sub(rb'\r?\n', b'\r\n', raw)
        head = text.split(b'\r\n\r\n', 1)[0]
        if head.startswith(b'From '):  # an mbox separator line: not part of the message
            continue
        froms = re.findall(rb'(?im)^from[ \t]*:', head)
        if len(froms) != 1:
            continue
        out.append((os.path.relpath(path, data_dir).replace('/', '_'), text))
        if len(out) == count:
            break
    return out


def prepare_corpus(cache, work, count, label):
    """Installs the corpus (setup.sh), empties `work` and writes the first `count` usable
    messages into work/in: [(name, path)], or None (printed why) when setup fails."""
    setup = subprocess.run(['sh', os.path.join(HERE, 'setup.sh')] + ([cache] if cache else []),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if setup.returncode:
        print(f'{label}: setup failed: {setup.stderr.strip()}')
        return None
    data_dir = setup.stdout.strip().splitlines()[-1]
    if os.path.isdir(work):
        shutil.rmtree(work)
    src_dir = os.path.join(work, 'in')
    os.makedirs(src_dir)
    sources = []
    for name, text in corpus_messages(data_dir, count):
        path = os.path.join(src_dir, name + '.eml')
        with open(path, 'wb') as f:
            f.write(text)
        sources.append((name, path))
    return sources


def make_keys(work):
    """Fresh keys: {algo: {'pem', 'seed' (ed25519), 'p'}} and the DNS TXT of each selector."""
    keys = {}
    rsa = os.path.join(work, 'rsa.pem')
    ed = os.path.join(work, 'ed25519.pem')
    run(['openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
         '-out', rsa])
    run(['openssl', 'genpkey', '-algorithm', 'ED25519', '-out', ed])
    for algo, path in (('rsa', rsa), ('ed25519', ed)):
        der = run(['openssl', 'pkey', '-in', path, '-pubout', '-outform', 'DER']).stdout
        if algo == 'ed25519':
            p = base64.b64encode(der[-32:]).decode()  # the raw key after the SPKI prefix
            priv = run(['openssl', 'pkey', '-in', path, '-outform', 'DER']).stdout
            seed = base64.b64encode(priv[-32:]).decode()
        else:
            p = base64.b64encode(der).decode()
            seed = None
        with open(path) as f:
            pem = f.read()
        keys[algo] = {'pem': pem, 'path': path, 'seed': seed,
                      'txt': f'v=DKIM1; k={algo}; p={p}'}
    return keys


class Matrix:
    def __init__(self):
        self.rows = {}     # (signer, verifier, algo, canon) -> [passed, total, failures]
        self.refused = {}  # (signer, algo, canon) -> [(name, reason)]

    def add(self, signer, verifier, algo, canon, name, ok):
        row = self.rows.setdefault((signer, verifier, algo, canon), [0, 0, []])
        row[1] += 1
        if ok:
            row[0] += 1
        else:
            row[2].append(name)


def sign_ours(tool, keys, algo, canon, items):
    refused = []
    for name, src, dst in items:
        proc = subprocess.run([tool, 'dkim-sign', '--key', keys[algo]['path'], '--selector',
                               algo, '--domain', DOMAIN, '--canon', canon, src],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode:
            refused.append((name, proc.stderr.decode(errors='replace').strip()))
            continue
        with open(dst, 'wb') as f:
            f.write(proc.stdout)
    return refused


def sign_opendkim(keys, algo, canon, items):
    refused = []
    for name, src, dst in items:
        with open(src, 'rb') as f:
            proc = subprocess.run(['opendkim-testmsg', '-C', '-d', DOMAIN, '-s', algo, '-k',
                                   keys[algo]['path']], stdin=f, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        if proc.returncode or not proc.stdout.lower().startswith(b'dkim-signature:'):
            refused.append((name, proc.stderr.decode(errors='replace').strip() or 'no signature'))
            continue
        with open(dst, 'wb') as f:
            f.write(proc.stdout)
    return refused


def peer_job(cmd, job, work, tag):
    path = os.path.join(work, f'job-{tag}.json')
    with open(path, 'w') as f:
        json.dump(job, f)
    proc = subprocess.run(cmd + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode:
        raise RuntimeError(f'{cmd[-1]} failed: {proc.stderr.strip()[-500:]}')
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def collect_refused(items):
    refused = []
    for name, _, dst in items:
        if os.path.exists(dst + '.error'):
            with open(dst + '.error') as f:
                refused.append((name, f.read().strip()))
    return refused


def verify_ours(tool, zone, files, allow_sha1):
    """{file: [results]} from examples/mailauth dkim-verify."""
    out = {}
    extra = ['--allow-sha1'] if allow_sha1 else []
    for path in files:
        proc = subprocess.run([tool, 'dkim-verify', '--zone', zone] + extra + [path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        results = re.findall(r'^dkim=(\w+)', proc.stdout, re.M) if proc.returncode == 0 else []
        out[path] = results or ['error']
    return out


def start(doc, count_env, count, label, selectors):
    """What dkim_interop and arc_interop do first: reads the command line (`count_env` names
    the environment variable that overrides the default `count`), installs the corpus, makes
    fresh keys, publishes them at `selectors` ({name: algo}) in work/keys.zone and finds the
    peers: (args, sources, keys, dns {name: txt}, zone path, dkimpy's python or None,
    node with mailauth or None), or None (printed why) when setup failed."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--tool', required=True)
    ap.add_argument('--cache', default=os.environ.get('LIBMAIL_INTEROP_CACHE'))
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--count', type=int, default=int(os.environ.get(count_env, count)))
    ap.add_argument('--node', default='node')
    args = ap.parse_args()
    sources = prepare_corpus(args.cache, args.workdir, args.count, label)
    if sources is None:
        return None
    keys = make_keys(args.workdir)
    dns = {name: keys[algo]['txt'] for name, algo in selectors.items()}
    zone = os.path.join(args.workdir, 'keys.zone')
    with open(zone, 'w') as f:
        f.write(txt_zone_text(dns))
    return args, sources, keys, dns, zone, python_with('dkim'), mailauth_node(args.node)


def main():
    setup = start(__doc__, 'DKIM_INTEROP_COUNT', 300, 'dkim interop',
                  {f'{algo}._domainkey.{DOMAIN}': algo for algo in ALGOS})
    if setup is None:
        return 77
    args, sources, keys, dns, zone, py, node = setup
    work = args.workdir
    has_opendkim = shutil.which('opendkim-testmsg') is not None
    peers = {'dkimpy': py is not None, 'mailauth': node is not None, 'opendkim': has_opendkim}
    for peer, ok in peers.items():
        if not ok:
            print(f'dkim interop: {peer} not available: left out')
    if not any(peers.values()):
        return 77
    dkimpy_cmd = [py, os.path.join(HERE, 'peer_dkim_dkimpy.py')] if py else None
    mailauth_cmd = [node, os.path.join(HERE, 'peer_dkim_mailauth.js')] if node else None

    m = Matrix()
    started = time.time()
    for algo in ALGOS:
        for canon in CANONS:
            tag = f'{algo}-{canon.replace("/", "-")}'
            signed = {}  # signer -> list of (name, path)
            signers = ['libmailauth'] + [p for p in ('dkimpy', 'mailauth', 'opendkim') if peers[p]]
            for signer in signers:
                if signer == 'opendkim' and (algo != 'rsa' or canon != 'relaxed/relaxed'):
                    continue  # opendkim-testmsg signs rsa with its default relaxed/simple only
                out_dir = os.path.join(work, f'{signer}-{tag}')
                os.makedirs(out_dir)
                items = [(n, p, os.path.join(out_dir, n + '.eml')) for n, p in sources]
                job = {'op': 'sign', 'selector': algo, 'domain': DOMAIN, 'canon': canon,
                       'algo': ALGO_NAMES[algo],
                       'items': [[p, d] for _, p, d in items]}
                if signer == 'libmailauth':
                    refused = sign_ours(args.tool, keys, algo, canon, items)
                elif signer == 'opendkim':
                    refused = sign_opendkim(keys, algo, canon, items)
                else:
                    job['key'] = keys[algo]['seed'] if (signer == 'dkimpy' and algo == 'ed25519') \
                        else keys[algo]['pem']
                    peer_job(dkimpy_cmd if signer == 'dkimpy' else mailauth_cmd, job, work,
                             f'{signer}-sign-{tag}')
                    refused = collect_refused(items)
                m.refused[(signer,) + (OPENDKIM_LABELS if signer == 'opendkim'
                                       else (ALGO_NAMES[algo], canon))] = refused
                signed[signer] = [(n, d) for n, _, d in items if os.path.exists(d)]

            for signer, files in signed.items():
                paths = [d for _, d in files]
                verifiers = ['libmailauth'] if signer != 'libmailauth' else \
                    ['libmailauth'] + [p for p in ('dkimpy', 'mailauth') if peers[p]]
                for verifier in verifiers:
                    if verifier == 'libmailauth':
                        got = verify_ours(args.tool, zone, paths, signer == 'opendkim')
                    else:
                        cmd = dkimpy_cmd if verifier == 'dkimpy' else mailauth_cmd
                        got = {r['file']: r['results'] for r in peer_job(
                            cmd, {'op': 'verify', 'dns': dns, 'files': paths}, work,
                            f'{verifier}-verify-{signer}-{tag}')}
                    labels = OPENDKIM_LABELS if signer == 'opendkim' else (ALGO_NAMES[algo], canon)
                    for name, path in files:
                        results = got.get(path, ['missing'])
                        m.add(signer, verifier, *labels, name, results[:1] == ['pass'])

    failed = 0
    print(f'DKIM interop over {len(sources)} SpamAssassin messages '
          f'({time.time() - started:.0f} s)')
    print(f'{"signer":<12} {"verifier":<12} {"algorithm":<15} {"c=":<16} {"verified":>12}  refused')
    for (signer, verifier, algo, canon), (ok, total, fails) in sorted(m.rows.items()):
        refused = m.refused.get((signer, algo, canon), [])
        print(f'{signer:<12} {verifier:<12} {algo:<15} {canon:<16} '
              f'{ok:>5}/{total:<6}  {len(refused)}')
        if fails:
            failed += len(fails)
            print(f'    not verified: {", ".join(fails[:10])}{" ..." if len(fails) > 10 else ""}')
    for (signer, algo, canon), refused in sorted(m.refused.items()):
        for name, why in refused[:3]:
            print(f'    {signer} {algo} {canon} refused {name}: {why[:160]}')
    ours_refused = sum(len(r) for (s, _, _), r in m.refused.items() if s == 'libmailauth')
    print(f'{failed} verification failures; libmailauth refused to sign {ours_refused} messages')
    return 1 if failed or ours_refused else 0


if __name__ == '__main__':
    sys.exit(main())
