#!/usr/bin/env python3
# run_mailsend.py — the "send" benchmark of libmailsend: one generated message of 1 KiB and of
# 100 KiB sent many times to Postfix's smtp-sink (one sink per connection) over 1 and over 8
# connections by libmailsend (bench_mailsend), npm nodemailer's pooled SMTP transport
# (peer_nodemailer.js) and Postfix's smtp-source, in one run; prints messages per second,
# processor time per message and libmailsend's rate as a multiple of each peer's.
"""Usage: run_mailsend.py --bin-dir BUILD/tests/bench --cache DIR --work DIR [--rounds N (5)]
                         [--run-seconds S (0.5)] [--only libmailsend,nodemailer,smtp-source]
                         [--json FILE]

The receivers are Postfix's smtp-sink (no dump: it reads and discards, so no disk is in the
way), one per connection: a run over C connections sends to C smtp-sinks on C ports, connection
i to sink i, whichever the sender. One smtp-sink is a single process with one thread; at 100 KiB
it spends several times the processor time per message of the fastest senders, so C
connections to one sink would measure that sink's core, not the senders. The sinks are
started once for the whole run (as many as the largest connection count); a run over fewer
connections uses the first ones, so the 1-connection runs all go to the same single sink.

Each round runs, for each message size and connection count, the three senders one after the
other, their order rotated from one case and round to the next. The first round sends a fixed
number of messages (2000 of 1 KiB, 200 of 100 KiB); later rounds give each sender the number
it sent in about S seconds so far (at least 100), so that a slow sender and a fast one are
exposed to the machine's load for about as long. The table shows each sender's median
messages per second and processor time per message (user + system), libmailsend's rate
as a multiple of each peer's: the median of the rounds' ratios (each ratio from runs made
seconds apart, which a shared machine's changing load disturbs least), and the processor
time the smtp-sinks spent per message (from /proc, summed over the sinks of the case, over all
senders' runs of it). Below the table, each peer's processor time per message as a multiple of
libmailsend's.

The message is written by `bench_mailsend --dump` into DIR; nodemailer sends the same file,
smtp-source the same text with LF line ends (`-F`, which makes them CRLF and dot-stuffs; `-d`
keeps each connection for all its messages). libmailsend and nodemailer first send 200
untimed messages (which opens every connection and lets node compile), then time the rest.
libmailsend gets the sinks' ports (`--ports`; its thread i connects to port i); nodemailer gets
them too and makes one pooled transport of one connection per port, handing out the messages
round-robin. smtp-source runs as C processes at once, each with one connection (`-s 1`) to its
own sink and its share of the N messages, timed from the start of the first to the exit of the
last (connecting included: it has no warm-up); its processor time is the sum of the processes'.
The smtp-sink column is the sum of the processor time of the sinks a case used.
nodemailer is taken from tests/interop/node_modules (tests/interop/setup.sh), else installed
by fetch.sh into the cache.
Exits 77 (skip) without smtp-sink, node or nodemailer; 1 when a sender fails or a message is
refused. Targets: 3x nodemailer, 1x smtp-source."""
import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'interop'))
import smtp_peers  # noqa: E402  (tests/interop/smtp_peers.py)

OURS = 'libmailsend'
PEERS = ('nodemailer', 'smtp-source')
SIZES = (('1 KiB', 1024, 2000), ('100 KiB', 102400, 200))  # label, octets, first round's N
CONNECTIONS = (1, 8)
TARGETS = {'nodemailer': 3.0, 'smtp-source': 1.0}
WARMUP = 200            # untimed messages first (libmailsend, nodemailer)
MIN_MESSAGES = 100
PROGRAM_TIMEOUT = 120   # one sender run that takes longer has hung
FROM, TO = 'alice@example.com', 'bob@example.net'


def process_cpu(pid):
    """Processor seconds (user + system) a running process has used, from /proc; None when
    unavailable."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError):
        return None


def find_nodemailer(cache):
    """The node_modules folder holding nodemailer, or None."""
    dirs = (os.path.join(ROOT, 'tests', 'interop', 'node_modules'),
            os.path.join(cache, 'node-nodemailer', 'node_modules'))
    found = [d for d in dirs if os.path.isfile(os.path.join(d, 'nodemailer', 'package.json'))]
    if found:
        return found[0]
    try:
        subprocess.run(['sh', os.path.join(HERE, 'fetch.sh'), cache, 'nodemailer'], check=True,
                       stdout=subprocess.DEVNULL)
    except (subprocess.CalledProcessError, OSError):
        return None
    return dirs[1] if os.path.isfile(os.path.join(dirs[1], 'nodemailer', 'package.json')) else None


def run_json(cmd):
    """Runs a sender that prints one JSON line; returns (seconds, cpu seconds, None) or
    (None, None, why it failed)."""
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=PROGRAM_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, None, f'no result within {PROGRAM_TIMEOUT} s'
    lines = [l for l in proc.stdout.splitlines() if l.startswith('{')]
    if proc.returncode != 0 or not lines:
        return None, None, f'exit {proc.returncode}: {proc.stderr.strip()[-300:]}'
    res = json.loads(lines[-1])
    if res['errors']:
        return None, None, f'{res["errors"]} messages not accepted'
    return res['seconds'], res['cpu_seconds'], None


def run_smtp_source(exe, ports, lf_file, messages):
    """One smtp-source process per port, each with one connection and its share of the
    messages, all started together; timed from the first start to the last exit, processor
    time the sum over the processes from wait4()."""
    start = time.perf_counter()
    procs = []
    for i, port in enumerate(ports):
        share = messages // len(ports) + (i < messages % len(ports))
        procs.append(subprocess.Popen(
            [exe, '-d', '-s', '1', '-m', str(share), '-F', lf_file, '-f', FROM, '-t', TO,
             '127.0.0.1:%d' % port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    deadline = start + PROGRAM_TIMEOUT
    running, cpu, codes = list(procs), 0.0, []
    while running:
        for proc in list(running):
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                codes.append(proc.returncode)
                cpu += ru.ru_utime + ru.ru_stime
                running.remove(proc)
        if not running:
            break
        if time.perf_counter() > deadline:
            for proc in running:
                proc.kill()
                proc.wait()
            return None, None, f'no result within {PROGRAM_TIMEOUT} s'
        time.sleep(0.001)
    seconds = time.perf_counter() - start
    bad = [c for c in codes if c != 0]
    if bad:
        return None, None, f'exit {bad[0]}'
    return seconds, cpu, None


def write_messages(ours, work):
    """{size: (CRLF file, LF file)} of the generated message of each size."""
    os.makedirs(work, exist_ok=True)
    files = {}
    for _, size, _ in SIZES:
        crlf = os.path.join(work, f'message-{size}.eml')
        with open(crlf, 'wb') as f:
            subprocess.run([ours, '--size', str(size), '--dump'], stdout=f, check=True)
        with open(crlf, 'rb') as f:
            data = f.read()
        lf = os.path.join(work, f'message-{size}.lf')
        with open(lf, 'wb') as f:
            f.write(data.replace(b'\r\n', b'\n'))
        files[size] = (crlf, lf)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--bin-dir', required=True)
    ap.add_argument('--cache', default=None)
    ap.add_argument('--work', required=True)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--run-seconds', type=float, default=0.5)
    ap.add_argument('--only', default=None)
    ap.add_argument('--json', default=None)
    args = ap.parse_args()
    cache = os.environ.get('LIBMAIL_BENCH_CACHE') or args.cache or os.path.join(args.work, 'cache')
    wanted = set(args.only.split(',')) if args.only else {OURS, *PEERS}

    ours = os.path.join(args.bin_dir, 'bench_mailsend')
    if not os.access(ours, os.X_OK):
        print('bench mailsend: bench_mailsend not built')
        return 1
    node = shutil.which('node')
    node_modules = None
    if 'nodemailer' in wanted:
        if not node:
            print('bench mailsend: node not found: skipped')
            return 77
        node_modules = find_nodemailer(cache)
        if not node_modules:
            print('bench mailsend: nodemailer not installed (tests/interop/setup.sh): skipped')
            return 77
    source = None
    if 'smtp-source' in wanted:
        try:
            source = smtp_peers.find_tool('smtp-source')
        except smtp_peers.PeerMissing:
            print('bench mailsend: smtp-source not installed: its column is left out')
            wanted.discard('smtp-source')
    try:
        sinks = [smtp_peers.SmtpSink(backlog=256) for _ in range(max(CONNECTIONS))]
    except smtp_peers.PeerMissing as err:
        print(f'bench mailsend: {err}: skipped')
        return 77
    files = write_messages(ours, args.work)

    def sinks_cpu(used):
        """Processor seconds of the sinks `used`, summed; None when unavailable."""
        times = [process_cpu(s.proc.pid) for s in used]
        return None if None in times else sum(times)

    order = [impl for impl in (OURS, *PEERS) if impl in wanted]
    runs = {}    # (size, connections, impl) -> [(round, msg/s, cpu seconds per message)]
    sink_cpu = {}  # (size, connections) -> [smtp-sink's cpu seconds per message]
    failed = []

    def count(size, conns, impl, first):
        done = runs.get((size, conns, impl))
        if not done:
            return first
        rate = statistics.median(r for _, r, _ in done)
        return max(MIN_MESSAGES, int(rate * args.run_seconds))

    with contextlib.ExitStack() as stack:
        for sink in sinks:
            stack.enter_context(sink)
        for rnd in range(args.rounds):
            for case, (label, size, first) in enumerate(SIZES):
                crlf, lf = files[size]
                for conns in CONNECTIONS:
                    k = (rnd + case + conns) % len(order)
                    for impl in order[k:] + order[:k]:
                        n = count(size, conns, impl, first)
                        used = sinks[:conns]
                        ports = [s.port for s in used]
                        port_list = ','.join(map(str, ports))
                        sink_before = sinks_cpu(used)
                        if impl == OURS:
                            secs, cpu, why = run_json(
                                [ours, '--ports', port_list, '--size', str(size),
                                 '--messages', str(n), '--connections', str(conns),
                                 '--warmup', str(WARMUP)])
                        elif impl == 'nodemailer':
                            secs, cpu, why = run_json(
                                [node, os.path.join(HERE, 'peer_nodemailer.js'),
                                 '--node-modules', node_modules, '--ports', port_list,
                                 '--message', crlf, '--messages', str(n),
                                 '--connections', str(conns), '--warmup', str(WARMUP)])
                        else:
                            secs, cpu, why = run_smtp_source(source, ports, lf, n)
                        if why:
                            failed.append(f'{impl} {label} x{conns}: {why}')
                            print(f'bench mailsend: {failed[-1]}')
                            continue
                        runs.setdefault((size, conns, impl), []).append((rnd, n / secs, cpu / n))
                        sink_after = sinks_cpu(used)
                        if sink_before is not None and sink_after is not None:
                            # Warm-up messages included; 1 KiB runs are too short for the
                            # clock ticks of /proc to say much.
                            sink_cpu.setdefault((size, conns), []).append(
                                (sink_after - sink_before) / (n + WARMUP * (impl != 'smtp-source')))

    print(f'send: one message to one recipient at a time per connection, each connection to '
          f'its own smtp-sink on 127.0.0.1; medians of {args.rounds} rounds')
    print(f'{"size":>8} {"conns":>5}  ' + ''.join(f'{c:>22}' for c in order) +
          ''.join(f'{"vs " + p:>17}' for p in PEERS if p in wanted and OURS in wanted) +
          f'{"smtp-sink":>11}')
    nratios = sum(1 for p in PEERS if p in wanted and OURS in wanted)
    print(f'{"":>8} {"":>5}  ' + ''.join(f'{"msg/s":>11}{"cpu us/msg":>11}' for _ in order) +
          ' ' * 17 * nratios + f'{"cpu us/msg":>11}')
    summary, missed = [], []
    for label, size, _ in SIZES:
        for conns in CONNECTIONS:
            got = {impl: runs.get((size, conns, impl), []) for impl in order}
            line = f'{label:>8} {conns:>5}  '
            med = {}
            for impl in order:
                if got[impl]:
                    med[impl] = (statistics.median(r for _, r, _ in got[impl]),
                                 statistics.median(c for _, _, c in got[impl]))
                    line += f'{med[impl][0]:>11,.0f}{med[impl][1] * 1e6:>11,.1f}'
                else:
                    line += f'{"-":>11}{"-":>11}'
            ratios = {}
            for p in PEERS:
                if p not in wanted or OURS not in wanted:
                    continue
                mine = {rnd: r for rnd, r, _ in got[OURS]}
                pairs = [mine[rnd] / r for rnd, r, _ in got[p] if rnd in mine]
                if not pairs:
                    line += f'{"-":>17}'
                    continue
                ratios[p] = statistics.median(pairs)
                ok = ratios[p] >= TARGETS[p]
                if not ok:
                    missed.append(f'{label} x{conns} vs {p}')
                line += f'{ratios[p]:>11.2f}x {"met" if ok else "MISS":>4}'
            sink = sink_cpu.get((size, conns))
            line += f'{statistics.median(sink) * 1e6:>11,.1f}' if sink else f'{"-":>11}'
            print(line)
            summary.append({'size': size, 'connections': conns, 'median': med,
                            'ratios': ratios, 'runs': got, 'sink_cpu': sink_cpu.get((size, conns))})
    if OURS in wanted and any(p in wanted for p in TARGETS):
        print('targets: libmailsend >= ' + ', '.join(f'{t:g}x {p}' for p, t in TARGETS.items()
                                                     if p in wanted))
    # Processor time depends far less on the machine's load than throughput does.
    for row in summary:
        med = row['median']
        if OURS not in med or not med[OURS][1]:
            continue
        parts = [f'{p} {med[p][1] / med[OURS][1]:.1f}x' for p in PEERS if p in med]
        if parts:
            label = next(l for l, sz, _ in SIZES if sz == row['size'])
            print(f'processor time per message, {label} x{row["connections"]}, as a multiple of '
                  f'libmailsend\'s: ' + ', '.join(parts))
    if missed:
        print('targets missed: ' + '; '.join(missed))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(summary, f, indent=1)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
