#!/usr/bin/env python3
# run_auth.py — the "verify and evaluate" benchmark of libmailauth: DKIM verification of a
# 10 KiB message (RSA-2048 and Ed25519) and SPF evaluation of an include-heavy record set, in
# one run, for libmailauth, the OpenSSL floor, dkimpy / pyspf and npm mailauth; prints the
# table and libmailauth's speed as a multiple of each peer's.
"""Usage: run_auth.py --bin-dir BUILD/tests/bench --work DIR [--min-seconds S] [--node NODE]

bench_mailauth writes the inputs into DIR and times libmailauth and the floor; the peers read
the same files. npm mailauth comes from tests/interop/node_modules (installed by
tests/interop/setup.sh, which this runs); a peer that cannot run is left out with a note."""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'interop'))
from find_peers import python_with  # noqa: E402  (tests/interop/find_peers.py)

CASES = ('dkim-rsa', 'dkim-ed25519', 'spf-include')
# Targets from the issue: libmailauth's speed as a multiple of each peer's (the floor: at
# most 1.2x slower than OpenSSL's own work).
TARGETS = {'dkim': {'dkimpy': 5.0, 'mailauth': 5.0}, 'spf': {'mailauth': 20.0}}


def lines(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=900)
    if proc.returncode:
        print(f'bench: {" ".join(cmd[:2])} failed: {proc.stderr.strip()[-400:]}')
        return []
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{')]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--bin-dir', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--min-seconds', type=float, default=3.0)
    ap.add_argument('--node', default='node')
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ms = ['--min-seconds', str(args.min_seconds)]

    rows = lines([os.path.join(args.bin_dir, 'bench_mailauth'), '--out', args.work] + ms)
    if not rows:
        return 1
    py = python_with('dkim') or python_with('spf')
    if py:
        rows += lines([py, os.path.join(HERE, 'bench_auth_python.py'), args.work] + ms)
    else:
        print('bench: dkimpy and pyspf not installed: left out')
    node = shutil.which(args.node)
    if node and subprocess.run(['sh', os.path.join(ROOT, 'tests', 'interop', 'setup.sh')],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        rows += lines([node, os.path.join(HERE, 'bench_auth_mailauth.js'), args.work] + ms)
    else:
        print('bench: npm mailauth not available: left out')

    rate = {(r['impl'], r['case']): r['ops'] / r['seconds'] for r in rows}
    result = {(r['impl'], r['case']): r['result'] for r in rows}
    impls = [i for i in ('libmailauth', 'libmailauth-nocache', 'openssl-floor', 'openssl-ready',
                         'dkimpy', 'pyspf', 'mailauth')
             if any(k[0] == i for k in rate)]
    print(f'{"case":<14}' + ''.join(f'{i:>20}' for i in impls) + '   (operations per second)')
    for case in CASES:
        print(f'{case:<14}' + ''.join(
            f'{rate[(i, case)]:>20.0f}' if (i, case) in rate else f'{"":>20}' for i in impls))
    print('libmailauth keeps parsed keys in a mailauth_dkim_key_cache, as a server does; '
          'libmailauth-nocache parses the key record of every message')
    missed = []
    print('libmailauth speed as a multiple of each (verdicts: pass everywhere expected)')
    for case in CASES:
        ours = rate.get(('libmailauth', case))
        if not ours:
            continue
        family = case.split('-')[0]
        for impl in impls:
            if impl.startswith('libmailauth') or (impl, case) not in rate:
                continue
            ratio = ours / rate[(impl, case)]
            if impl == 'openssl-floor':
                slower = 1 / ratio
                print(f'  {case:<14} vs {impl:<14} {slower:6.2f}x the floor\'s time (target <= 1.2)')
                if slower > 1.2:
                    missed.append(f'{case} vs the floor')
                continue
            if impl == 'openssl-ready':
                print(f'  {case:<14} vs {impl:<14} {1 / ratio:6.2f}x its time (the floor without '
                      'per-message setup; no target)')
                continue
            target = TARGETS.get(family, {}).get(impl)
            note = f' (target {target:.0f}x)' if target else ''
            print(f'  {case:<14} vs {impl:<14} {ratio:6.1f}x{note}   [{result[(impl, case)]}]')
            if target and ratio < target:
                missed.append(f'{case} vs {impl}')
    bad = [f'{k[0]} {k[1]}: {v}' for k, v in result.items() if v not in ('pass', 'n/a')]
    for b in bad:
        print(f'  wrong verdict: {b}')
    if missed:
        print(f'targets missed: {", ".join(missed)}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
