#!/usr/bin/env python3
"""roundtrip.py — libmailbuild's messages parsed back by the peers: Python's `email` and npm
`mailparser`.

Usage: roundtrip.py [--setup] [--cache DIR] [--node NODE] [--workdir DIR] [--count N]
                    [--first N] [--report FILE] MAILBUILD_CORPUS
  MAILBUILD_CORPUS  the mailbuild_corpus program: writes <seed>.eml and <seed>.json
  --count           messages (default $ROUNDTRIP_COUNT, else 2000), seeds --first .. (default 0)
  --workdir         where the corpus goes (emptied first; default a temporary directory)
  --setup           run setup.sh when mailparser is not installed (as compare.py does)
  --report          where every difference is written (default <workdir>/roundtrip-report.txt)

The same seeds as tests/mailbuild/test_roundtrip.c (which checks libmailparse) are built,
written, and parsed by each peer script (roundtrip_python.py, roundtrip_mailparser.js); each
compares every value the peer's API exposes with what was put in. Prints per peer
  "roundtrip python-email: N/N equal, M known peer divergences"
then the failing seeds with the differing fields. Differences a peer script's DIVERGENCES list
explains (the peer deviating from an RFC) are counted apart and listed by rule.
Exits 1 on any other difference or a builder call that refused a valid value, 77 (skip) when
node or mailparser is missing and everything else passed, 0 otherwise.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
SHOW_SEEDS = 25       # failing seeds listed per peer
SHOW_FIELDS = 4       # differing fields shown per seed
SHOW_CHARS = 200


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--setup", action="store_true")
    ap.add_argument("--cache", default=os.environ.get("LIBMAIL_INTEROP_CACHE") or
                    os.path.join(HERE, "..", "..", "build", "interop-cache"))
    ap.add_argument("--node", default="node")
    ap.add_argument("--workdir")
    ap.add_argument("--count", type=int,
                    default=int(os.environ.get("ROUNDTRIP_COUNT") or 2000))
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--report")
    ap.add_argument("corpus")
    return ap.parse_args(argv)


def make_corpus(exe, workdir, count, first):
    if os.path.isdir(workdir):
        shutil.rmtree(workdir)
    os.makedirs(workdir)
    proc = subprocess.run([exe, workdir, str(count), str(first)], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (exe, proc.returncode, proc.stderr[-1000:]))
    seeds = list(range(first, first + count))
    build_errors = {}
    for seed in seeds:
        with open(os.path.join(workdir, "%d.json" % seed), encoding="utf-8") as f:
            rec = json.load(f)
        if rec.get("build_error") or not rec.get("written", True):
            build_errors[seed] = rec.get("build_error") or "nothing written"
    return seeds, build_errors


def run_lines(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", check=False)
    if proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (os.path.basename(cmd[1]), proc.returncode,
                                                   proc.stderr[-2000:]))
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def run_peer(cmd, workdir, seeds, jobs):
    """Runs a peer script over the seeds in `jobs` processes; returns {seed: record}."""
    chunks = [seeds[i::jobs] for i in range(jobs) if seeds[i::jobs]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        results = pool.map(lambda chunk: run_lines(cmd + [workdir] + [str(s) for s in chunk]),
                           chunks)
        return {r["seed"]: r for lines in results for r in lines}


def mailparser_ready(args):
    """Whether node and the pinned mailparser are there (running setup.sh if asked); the reason
    when not."""
    if not shutil.which(args.node) and not os.path.isfile(args.node):
        return "node not found"
    if os.path.isfile(os.path.join(HERE, "node_modules", "mailparser", "package.json")):
        return None
    if args.setup:
        proc = subprocess.run(["sh", os.path.join(HERE, "setup.sh"), args.cache],
                              capture_output=True, text=True, check=False)
        if proc.returncode == 0 and os.path.isfile(
                os.path.join(HERE, "node_modules", "mailparser", "package.json")):
            return None
        return "setup.sh failed (%d): %s" % (proc.returncode, proc.stderr.strip()[-300:])
    return "mailparser not installed (run setup.sh)"


def short(value):
    s = json.dumps(value, ensure_ascii=False)
    return s if len(s) <= SHOW_CHARS else s[:SHOW_CHARS] + "…"


def summarize(name, records, seeds, out, report):
    tally = collections.Counter()
    fields = collections.Counter()
    rules = collections.Counter()
    failing = []
    for seed in seeds:
        r = records.get(seed)
        if r is None:
            tally["missing"] += 1
            failing.append((seed, [["(no result)", None, None]]))
            continue
        tally[r["status"]] += 1
        for field, rule in r["divergences"]:
            rules[rule] += 1
        if r["status"] == "mismatch":
            failing.append((seed, r["mismatches"]))
            for m in r["mismatches"]:
                fields[".".join(p for p in m[0].split(".") if not p.isdigit())] += 1
    n = len(seeds)
    out.write("roundtrip %s: %d/%d equal, %d known peer divergences\n"
              % (name, tally["equal"], n, tally["divergence"]))
    for rule, k in sorted(rules.items()):
        out.write("  divergence %s: %d fields\n" % (rule, k))
    if failing:
        out.write("  %d messages differ; by field: %s\n" % (
            len(failing), ", ".join("%s %d" % fk for fk in fields.most_common(12))))
    for seed, mism in failing[:SHOW_SEEDS]:
        for field, want, got in mism[:SHOW_FIELDS]:
            out.write("  seed %d: %s: expected %s, got %s\n" % (seed, field, short(want), short(got)))
    if len(failing) > SHOW_SEEDS:
        out.write("  ... %d more seeds in the report\n" % (len(failing) - SHOW_SEEDS))
    report.write("## %s: %d messages differ\n" % (name, len(failing)))
    for seed, mism in failing:
        for field, want, got in mism:
            report.write("%d\t%s\texpected %s\tgot %s\n" % (seed, field,
                                                          json.dumps(want, ensure_ascii=False),
                                                          json.dumps(got, ensure_ascii=False)))
    report.write("\n")
    return len(failing)


def main(argv):
    args = parse_args(argv)
    tmp = None
    workdir = args.workdir
    if not workdir:
        tmp = tempfile.mkdtemp(prefix="mailbuild-roundtrip-")
        workdir = os.path.join(tmp, "corpus")
    try:
        seeds, build_errors = make_corpus(args.corpus, workdir, args.count, args.first)
    except (OSError, RuntimeError) as e:
        print("roundtrip: could not write the corpus: %s" % e)
        return 1
    print("roundtrip: %d messages written to %s" % (len(seeds), workdir))
    jobs = max(1, min(8, os.cpu_count() or 2))
    not_ready = mailparser_ready(args)
    report_path = args.report or os.path.join(workdir, "roundtrip-report.txt")
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        py = pool.submit(run_peer, [sys.executable, os.path.join(HERE, "roundtrip_python.py")],
                         workdir, seeds, jobs)
        mp = None
        if not not_ready:
            mp = pool.submit(run_peer, [args.node, os.path.join(HERE, "roundtrip_mailparser.js")],
                             workdir, seeds, jobs)
        with open(report_path, "w", encoding="utf-8") as report:
            if build_errors:
                print("roundtrip: %d messages had a valid value refused by the builder" % len(build_errors))
                for seed, err in sorted(build_errors.items())[:SHOW_SEEDS]:
                    print("  seed %d: %s" % (seed, err))
                report.write("## builder refused a valid value: %d\n" % len(build_errors))
                for seed, err in sorted(build_errors.items()):
                    report.write("%d\t%s\n" % (seed, err))
                report.write("\n")
                failed += len(build_errors)
            try:
                failed += summarize("python-email", py.result(), seeds, sys.stdout, report)
            except RuntimeError as e:
                print("roundtrip python-email: the peer failed: %s" % e)
                failed += 1
            if mp is None:
                print("roundtrip mailparser: skipped (%s)" % not_ready)
            else:
                try:
                    failed += summarize("mailparser", mp.result(), seeds, sys.stdout, report)
                except RuntimeError as e:
                    print("roundtrip mailparser: the peer failed: %s" % e)
                    failed += 1
    if tmp and not failed and not args.report:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("differences listed in %s" % report_path)
    if failed:
        return 1
    return SKIP if not_ready else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
