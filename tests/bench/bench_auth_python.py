#!/usr/bin/env python3
# bench_auth_python.py — the Python peers of the "verify and evaluate" benchmark: dkimpy
# (Debian python3-dkim) verifying the signed messages and pyspf (python3-spf) evaluating the
# SPF set that bench_mailauth wrote into DIR, with DNS answered from those files.
#
#   bench_auth_python.py DIR [--min-seconds S]
#
# Prints one JSON line per case as bench_mailauth does; a peer that cannot be imported is
# left out (its cases are not printed).
import argparse
import json
import os
import time


def timed(impl, case, min_seconds, fn):
    end = time.perf_counter() + min_seconds / 10
    while time.perf_counter() < end:
        result = fn()
    ops = 0
    start = time.perf_counter()
    while True:
        result = fn()
        ops += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            break
    print(json.dumps({'impl': impl, 'case': case, 'ops': ops, 'seconds': elapsed,
                      'result': result}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--min-seconds', type=float, default=3.0)
    args = ap.parse_args()
    with open(os.path.join(args.dir, 'keys.json')) as f:
        keys = {k.lower(): v.encode() for k, v in json.load(f).items()}
    try:
        import dkim
    except ImportError:
        dkim = None
    if dkim:
        def dnsfunc(name, timeout=5):
            return keys.get((name.decode() if isinstance(name, bytes) else name).lower().rstrip('.'))
        for alg in ('rsa', 'ed25519'):
            with open(os.path.join(args.dir, f'dkim-{alg}.eml'), 'rb') as f:
                msg = f.read()
            timed('dkimpy', f'dkim-{alg}', args.min_seconds,
                  lambda: 'pass' if dkim.verify(msg, dnsfunc=dnsfunc) else 'fail')
    try:
        import spf
    except ImportError:
        spf = None
    if spf:
        with open(os.path.join(args.dir, 'spf.json')) as f:
            s = json.load(f)
        zone = {k.lower(): v for k, v in s['zone'].items()}

        def lookup(name, qtype, *a, **kw):
            return [((name, qtype), [v.encode()]) for v in
                    zone.get(name.lower().rstrip('.'), {}).get(qtype, [])]
        spf.DNSLookup = lookup
        timed('pyspf', 'spf-include', args.min_seconds,
              lambda: spf.query(s['ip'], s['sender'], s['helo']).check()[0])


if __name__ == '__main__':
    main()
