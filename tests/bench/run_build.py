#!/usr/bin/env python3
# run_build.py — runs the "build and serialise" benchmark of libmailbuild, GMime 3 and npm
# nodemailer (MailComposer) on a small and a large message in one run and prints the table
# with libmailbuild's throughput as a multiple of each peer's.
"""Usage: run_build.py --bin-dir BUILD/tests/bench [--cache DIR] [--min-seconds S] [--rounds N]
                    [--only libmailbuild,gmime,nodemailer] [--json FILE]

The cache (default $LIBMAIL_BENCH_CACHE, else --cache) receives nodemailer through fetch.sh;
a peer that is not built or not installed is left out of the table."""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = ('small', 'large')
OURS = 'libmailbuild'
# One program run (all its shapes) that takes longer than this has hung.
PROGRAM_TIMEOUT = 300
# Target from the issue: libmailbuild throughput as a multiple of each peer's.
TARGETS = {'gmime': 2.0}


def fetch_nodemailer(cache):
    """Installs nodemailer into the cache; failing leaves the nodemailer column out."""
    try:
        subprocess.run(['sh', os.path.join(HERE, 'fetch.sh'), cache, 'nodemailer'], check=True,
                       stdout=subprocess.DEVNULL)
    except (subprocess.CalledProcessError, OSError) as err:
        print(f'bench: cannot fetch nodemailer ({err})')


def commands(args, cache):
    """The program of each implementation, or the reason it cannot run."""
    def binary(name):
        path = os.path.join(args.bin_dir, name)
        return [path] if os.access(path, os.X_OK) else f'{name} not built'
    node = shutil.which('node')
    node_modules = os.path.join(cache, 'node-nodemailer', 'node_modules')
    if not node:
        nodemailer = 'node not found'
    elif not os.path.isfile(os.path.join(node_modules, 'nodemailer', 'package.json')):
        nodemailer = 'nodemailer not installed'
    else:
        nodemailer = [node, os.path.join(HERE, 'bench_nodemailer.js'), '--node-modules', node_modules]
    return {
        OURS: binary('bench_mailbuild'),
        'gmime': binary('bench_gmime_build'),
        'nodemailer': nodemailer,
    }


def run(impl, cmd, args):
    """Runs one program over both shapes; returns {shape: result} or {'failed': why}."""
    extra = ['--min-seconds', str(args.min_seconds), '--warmup-seconds', str(args.warmup_seconds)]
    try:
        proc = subprocess.run(cmd + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=PROGRAM_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {'failed': f'no result within {PROGRAM_TIMEOUT} s'}
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith('{'):
            res = json.loads(line)
            results[res['shape']] = res
    if proc.returncode != 0 and not results:
        return {'failed': f'exit {proc.returncode}: {proc.stderr.strip()[-300:]}'}
    if proc.returncode != 0:
        print(f'bench: {impl} exited with {proc.returncode}: {proc.stderr.strip()[-300:]}')
    return results


def rate(result):
    """Messages per second and output MB per second."""
    return result['iterations'] / result['seconds'], result['bytes'] / result['seconds'] / 1e6


def best(old, new):
    """The faster of two results of one shape (rounds keep each implementation's best)."""
    if old is None or 'failed' in old:
        return new
    if 'failed' in new or new.get('errors') or rate(new)[0] <= rate(old)[0]:
        return old
    return new


def print_ratios(results, order):
    """One line per peer: libmailbuild's messages/s over the peer's, per shape."""
    names = {'gmime': 'GMime', 'nodemailer': 'nodemailer'}
    for impl in order:
        if impl == OURS or not all(s in results.get(impl, {}) for s in SHAPES):
            continue
        parts = []
        for shape in SHAPES:
            ours = results.get(OURS, {}).get(shape)
            if not ours or ours['errors']:
                parts.append(f'{shape} n/a')
            else:
                parts.append(f'{shape} {rate(ours)[0] / rate(results[impl][shape])[0]:.2f}x')
        print(f"libmailbuild/{names.get(impl, impl)}: {', '.join(parts)}")


def print_table(results, order):
    print(f"{'shape':<6} {'implementation':<14} {'version':<8} {'msgs/s':>10} {'MB/s':>8}"
          f" {'msg bytes':>10} {'errors':>6}  {'libmailbuild/peer':>17}")
    for shape in SHAPES:
        ours = results.get(OURS, {}).get(shape)
        ours_rate = rate(ours)[0] if ours and not ours['errors'] else None
        for impl in order:
            res = results.get(impl, {})
            if 'failed' in res or 'skipped' in res:
                print(f"{shape:<6} {impl:<14} {res.get('failed') or res.get('skipped')}")
                continue
            if shape not in res:
                continue
            r = res[shape]
            msgs, mbs = rate(r)
            ratio = f'{ours_rate / msgs:.2f}x' if ours_rate else 'n/a'
            if impl in TARGETS and ours_rate:
                met = ours_rate / msgs >= TARGETS[impl]
                ratio += f" (target {TARGETS[impl]:g}x: {'met' if met else 'NOT met'})"
            print(f"{shape:<6} {impl:<14} {r['version']:<8} {msgs:10.0f} {mbs:8.1f}"
                  f" {r['message_bytes']:10} {r['errors']:6}  {ratio:>17}")
    print_ratios(results, order)
    for shape in SHAPES:
        ours = results.get(OURS, {}).get(shape)
        if ours and ours['errors']:
            print(f"note: libmailbuild failed on {ours['errors']} {shape} messages: no ratio is given")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bin-dir', required=True, help='the build folder of tests/bench')
    ap.add_argument('--cache', default='bench-cache')
    ap.add_argument('--min-seconds', type=float, default=3.0, help='timed time per shape and program')
    ap.add_argument('--warmup-seconds', type=float, default=0.5, help='untimed time before each shape')
    ap.add_argument('--rounds', type=int, default=1,
                    help='run every program this many times, alternating; keep each one\'s best')
    ap.add_argument('--only', default='', help='comma-separated implementations to run')
    ap.add_argument('--json', help='also write the raw results to this file')
    args = ap.parse_args()
    cache = os.path.abspath(os.environ.get('LIBMAIL_BENCH_CACHE') or args.cache)
    wanted = [impl for impl in commands(args, cache) if not args.only or impl in args.only.split(',')]
    if 'nodemailer' in wanted:
        fetch_nodemailer(cache)
    cmds = commands(args, cache)
    results = {}
    for round_no in range(args.rounds):
        for impl in wanted:
            if isinstance(cmds[impl], str):
                results[impl] = {'skipped': cmds[impl]}
                continue
            print(f'running {impl} ...' + (f' (round {round_no + 1})' if args.rounds > 1 else ''),
                  flush=True)
            got = run(impl, cmds[impl], args)
            if 'failed' in got:
                results.setdefault(impl, got)
                continue
            if 'failed' in results.get(impl, {}):
                results[impl] = {}
            kept = results.setdefault(impl, {})
            for shape, res in got.items():
                kept[shape] = best(kept.get(shape), res)
    print()
    print_table(results, wanted)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(results, f, indent=1)
    # libmailbuild must build every message; a peer that ran must not have crashed.
    ours = results.get(OURS, {})
    ours_broken = OURS in wanted and (
        'failed' in ours or 'skipped' in ours
        or any(r.get('errors') for r in ours.values() if isinstance(r, dict)))
    peer_failed = any('failed' in r for r in results.values())
    return 1 if ours_broken or peer_failed else 0


if __name__ == '__main__':
    sys.exit(main())
