#!/usr/bin/env python3
# run.py — runs the "parse and extract" benchmark of libmailparse, GMime 3, Python email and npm
# mailparser over the SpamAssassin public corpus in one run and prints the comparison table,
# then checks libmailparse's memory on the largest message against 2 × its size + a constant.
"""Usage: run.py --bin-dir BUILD/tests/bench [--cache DIR] [--min-seconds S] [--only a,b]

The cache (default $LIBMAIL_BENCH_CACHE, else --cache) receives the corpus and mailparser
through fetch.sh. Exits 77 (skipped) when they cannot be fetched."""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GROUPS = ('easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2')
EXIT_SKIP = 77
# The memory target for one message: RSS growth over an empty parse of at most
# 2 × the message size plus this much (ICU converter tables, arena blocks, page granularity).
RSS_CONSTANT_KB = 2048
# One program run (warm-up plus timed passes) that takes longer than this has hung.
PROGRAM_TIMEOUT = 600
# Targets from the issue: libmailparse throughput as a multiple of each peer's.
TARGETS = {'gmime': 3.0, 'mailparser': 30.0}


def fetch(cache):
    try:
        out = subprocess.run(['sh', os.path.join(HERE, 'fetch.sh'), cache, 'corpus', 'mailparser'],
                             check=True, stdout=subprocess.PIPE, text=True).stdout
    except (subprocess.CalledProcessError, OSError) as err:
        print(f'bench: SKIP: cannot fetch the corpus ({err})')
        sys.exit(EXIT_SKIP)
    return out.strip().splitlines()[-1]


def write_lists(corpus, cache):
    """Writes the list files; returns (all, largest, empty) list paths and the largest size."""
    paths = []
    for group in GROUPS:
        folder = os.path.join(corpus, group)
        paths += sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith('.txt'))
    largest = max(paths, key=os.path.getsize)
    empty = os.path.join(cache, 'empty.eml')
    open(empty, 'wb').close()
    lists = {}
    for name, items in (('all', paths), ('largest', [largest]), ('empty', [empty])):
        lists[name] = os.path.join(cache, f'list-{name}.txt')
        with open(lists[name], 'w', encoding='utf-8') as f:
            f.write(''.join(p + '\n' for p in items))
    return lists, largest, os.path.getsize(largest)


def commands(args, cache):
    """The program of each implementation, or the reason it cannot run."""
    def binary(name):
        path = os.path.join(args.bin_dir, name)
        return [path] if os.access(path, os.X_OK) else f'{name} not built'
    node = shutil.which('node')
    node_modules = os.path.join(cache, 'node', 'node_modules')
    if not node:
        mailparser = 'node not found'
    elif not os.path.isdir(os.path.join(node_modules, 'mailparser')):
        mailparser = 'mailparser not installed'
    else:
        mailparser = [node, os.path.join(HERE, 'bench_mailparser.js'), '--node-modules', node_modules]
    return {
        'libmailparse': binary('bench_mailparse'),
        'gmime': binary('bench_gmime'),
        'python-email': [sys.executable, os.path.join(HERE, 'bench_python.py')],
        'mailparser': mailparser,
    }


def run(cmd, extra, list_path):
    try:
        proc = subprocess.run(cmd + extra + [list_path], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=PROGRAM_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {'failed': f'no result within {PROGRAM_TIMEOUT} s'}
    if proc.returncode != 0:
        return {'failed': f'exit {proc.returncode}: {proc.stderr.strip()[-300:]}'}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timing_args(impl, min_seconds):
    # Python has no JIT to warm and one pass takes long; the others get one untimed pass.
    warmup = '0' if impl == 'python-email' else '1'
    return ['--min-seconds', str(min_seconds), '--warmup', warmup]


def rate(result):
    secs = result['seconds'] / result['iterations']
    return result['bytes'] / secs / 1e6, result['messages'] / secs


def print_table(results):
    ours = results.get('libmailparse', {})
    ours_mbs = rate(ours)[0] if 'seconds' in ours and not ours['errors'] else None
    print(f"{'implementation':<14} {'version':<8} {'MB/s':>8} {'msgs/s':>9} {'peak RSS':>9}"
          f" {'errors':>6}  {'libmailparse/peer':>17}")
    for impl, res in results.items():
        if 'failed' in res or 'skipped' in res:
            print(f"{impl:<14} {res.get('failed') or res.get('skipped')}")
            continue
        mbs, msgs = rate(res)
        ratio = f'{ours_mbs / mbs:.2f}x' if ours_mbs else 'n/a'
        if impl in TARGETS and ours_mbs:
            ratio += f" (target {TARGETS[impl]:g}x: {'met' if ours_mbs / mbs >= TARGETS[impl] else 'NOT met'})"
        print(f"{impl:<14} {res.get('version', ''):<8} {mbs:8.1f} {msgs:9.0f}"
              f" {res['max_rss_kb'] / 1024:7.1f}MB {res['errors']:6}  {ratio:>17}")
    if ours.get('errors'):
        print(f"note: libmailparse failed on {ours['errors']} messages: no ratio is given")


def memory_check(cmd, lists, largest_size):
    once = ['--warmup', '0', '--max-iterations', '1', '--min-seconds', '0', '--count-heap']
    big, empty = run(cmd, once, lists['largest']), run(cmd, once, lists['empty'])
    if 'failed' in big or 'failed' in empty or big['errors']:
        print('memory: libmailparse could not parse the largest message')
        return
    size_kb = largest_size / 1024
    growth = big['max_rss_kb'] - empty['max_rss_kb']
    target = 2 * size_kb + RSS_CONSTANT_KB
    print(f"memory: largest message {largest_size} bytes ({size_kb:.0f} KiB); peak RSS"
          f" {big['max_rss_kb']} KiB vs {empty['max_rss_kb']} KiB for an empty message:"
          f" +{growth} KiB; target 2 x size + {RSS_CONSTANT_KB} KiB = {target:.0f} KiB:"
          f" {'met' if growth <= target else 'NOT met'}")
    heap = big.get('peak_heap_bytes')
    if heap is not None:
        print(f"memory: peak library heap {heap} bytes = {heap / largest_size:.2f} x the message"
              f" (input loaded outside the library, zero-copy)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bin-dir', required=True, help='the build folder of tests/bench')
    ap.add_argument('--cache', default='bench-cache')
    ap.add_argument('--min-seconds', type=float, default=5.0, help='timed time per implementation')
    ap.add_argument('--only', default='', help='comma-separated implementations to run')
    ap.add_argument('--json', help='also write the raw results to this file')
    args = ap.parse_args()
    cache = os.path.abspath(os.environ.get('LIBMAIL_BENCH_CACHE') or args.cache)
    corpus = fetch(cache)
    lists, largest, largest_size = write_lists(corpus, cache)
    print(f"corpus: {sum(1 for _ in open(lists['all']))} messages from {corpus}")
    results = {}
    for impl, cmd in commands(args, cache).items():
        if args.only and impl not in args.only.split(','):
            continue
        if isinstance(cmd, str):
            results[impl] = {'skipped': cmd}
            continue
        print(f'running {impl} ...', flush=True)
        results[impl] = run(cmd, timing_args(impl, args.min_seconds), lists['all'])
    print()
    print_table(results)
    ours_cmd = commands(args, cache)['libmailparse']
    if not isinstance(ours_cmd, str):
        memory_check(ours_cmd, lists, largest_size)
        print(f'memory: largest message is {os.path.relpath(largest, corpus)}')
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(results, f, indent=1)
    # libmailparse must parse every corpus message (only out-of-memory or a hard limit may fail).
    ours_broken = results.get('libmailparse', {}).get('errors')
    return 1 if ours_broken or any('failed' in r for r in results.values()) else 0


if __name__ == '__main__':
    sys.exit(main())
