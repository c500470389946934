#!/usr/bin/env python3
# spf_interop.py — SPF verdicts of libmailauth, pyspf and npm mailauth on generated zones.
"""Usage: spf_interop.py --tool BUILD/examples/mailauth --workdir DIR [--count N] [--seed S]
                       [--node NODE]

Generates N scenarios (a seeded random zone of SPF records with ip4, ip6, a, mx, include,
exists with macros, ptr, redirect, exp, the four qualifiers, void names, syntax errors, lookup
chains past the limits, and a client address inside or outside them) and asks each
implementation for the MAIL FROM verdict: libmailauth through `examples/mailauth spf --zone`,
pyspf (Debian python3-spf) with its DNS replaced by the zone, npm mailauth with a resolver
answering from the zone. Prints how often libmailauth agrees with each peer, and every
scenario where both peers agree with each other and not with libmailauth. Exits 1 when there
is such a scenario not explained in README.md's list of named divergences, 77 when no peer can
run."""
import argparse
import ipaddress
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections import defaultdict

from find_peers import python_with
from interop_zone import zone_lines

HERE = os.path.dirname(os.path.abspath(__file__))


def new_zone():
    return defaultdict(lambda: defaultdict(list))


def gen_scenario(rng, k):
    """One scenario: {'zone': {name: {type: [values]}}, 'ip', 'helo', 'sender', 'note'}."""
    base = f's{k}.example'
    z = new_zone()
    v4 = [f'192.0.2.{rng.randrange(1, 255)}' for _ in range(4)] + \
         [f'198.51.100.{rng.randrange(1, 255)}' for _ in range(2)]
    v6 = [f'2001:db8:{rng.randrange(0, 16):x}::{rng.randrange(1, 4096):x}' for _ in range(3)]
    z[f'mail.{base}']['A'].append(v4[0])
    z[f'mail.{base}']['AAAA'].append(v6[0])
    z[f'mx1.{base}']['A'].append(v4[1])
    z[f'mx2.{base}']['AAAA'].append(v6[1])
    z[base]['MX'] += [[10, f'mx1.{base}'], [20, f'mx2.{base}']]
    z[base]['A'].append(v4[2])
    # ptr: the reverse of one address names mail.<base>
    rev = ipaddress.ip_address(v4[0]).reverse_pointer
    z[rev]['PTR'].append(f'mail.{base}')

    def simple_terms(depth):
        terms = []
        for _ in range(rng.randrange(1, 4)):
            c = rng.random()
            q = rng.choice(['', '', '', '+', '-', '~', '?'])
            if c < 0.2:
                net = ipaddress.ip_network(f'{rng.choice(v4)}/{rng.choice([32, 30, 24, 16])}', strict=False)
                terms.append(f'{q}ip4:{net}')
            elif c < 0.3:
                net = ipaddress.ip_network(f'{rng.choice(v6)}/{rng.choice([128, 64, 48])}', strict=False)
                terms.append(f'{q}ip6:{net}')
            elif c < 0.4:
                terms.append(f'{q}a')
            elif c < 0.5:
                terms.append(f'{q}a:mail.{base}{rng.choice(["", "/24", "//64", "/24//64"])}')
            elif c < 0.6:
                terms.append(f'{q}mx{rng.choice(["", ":" + base, "/24"])}')
            elif c < 0.7 and depth < 3:
                name = f'inc{depth}{rng.randrange(3)}.{base}'
                if name not in z or 'TXT' not in z[name]:
                    z[name]['TXT'].append(record(depth + 1))
                terms.append(f'{q}include:{name}')
            elif c < 0.78:
                terms.append(f'{q}exists:%{{i}}.ex.{base}')
                z[f'{rng.choice(v4)}.ex.{base}']['A'].append('127.0.0.2')
            elif c < 0.82:
                terms.append(f'{q}exists:%{{l}}.users.{base}')
                z[f'user.users.{base}']['A'].append('127.0.0.2')
            elif c < 0.86:
                terms.append(f'{q}ptr{rng.choice(["", ":" + base])}')
            elif c < 0.90:
                terms.append(f'{q}a:void{rng.randrange(4)}.{base}')  # names that do not exist
            elif c < 0.92:
                terms.append(f'{q}include:missing.{base}')          # no record: permerror
            elif c < 0.94:
                terms.append(rng.choice(['ip4:192.0.2.300', 'foo:bar', 'a:', 'ip6:2001:db8::/129',
                                         'mx/33', 'include', 'exists:%{z}.x']))
            else:
                terms.append(f'{q}a:%{{d2}}')
        return terms

    def record(depth):
        terms = simple_terms(depth)
        tail = rng.random()
        if tail < 0.7:
            terms.append(rng.choice(['-all', '~all', '?all', '+all', '-all', '~all']))
        elif tail < 0.85 and depth < 3:
            target = f'red{depth}.{base}'
            if target not in z or 'TXT' not in z[target]:
                z[target]['TXT'].append(record(depth + 1))
            terms.append(f'redirect={target}')
        if rng.random() < 0.2:
            z[f'why.{base}']['TXT'].append('%{i} is not allowed to send for %{d} (%{s})')
            terms.append(f'exp=why.{base}')
        return 'v=spf1 ' + ' '.join(terms)

    kind = rng.random()
    if kind < 0.05:    # a chain of includes past the limit of 10
        for j in range(12):
            z[f'chain{j}.{base}']['TXT'].append(f'v=spf1 include:chain{j + 1}.{base} -all')
        z[f'chain12.{base}']['TXT'].append('v=spf1 +all')
        z[base]['TXT'].append(f'v=spf1 include:chain0.{base} -all')
    elif kind < 0.08:  # two records
        z[base]['TXT'] += ['v=spf1 -all', 'v=spf1 +all']
    elif kind < 0.10:  # no record
        z[base]['TXT'].append('not spf')
    else:
        z[base]['TXT'].append(record(0))
    z[base]['TXT'].append('google-site-verification=abc')

    pool = v4 + v6 + ['203.0.113.9', '2001:db8:ffff::1']
    ip = rng.choice(pool)
    sender = rng.choice([f'user@{base}', f'other@{base}', f'user@{base}', ''])
    return {'zone': {n: dict(t) for n, t in z.items()}, 'ip': ip, 'helo': f'mail.{base}',
            'sender': sender}


def zone_file(scenarios):
    return '\n'.join(line for s in scenarios for line in zone_lines(s['zone'])) + '\n'


def run_ours(tool, zone, scenarios):
    out = []
    for s in scenarios:
        proc = subprocess.run([tool, 'spf', '--zone', zone, '--ip', s['ip'], '--helo', s['helo'],
                               '--sender', s['sender'], '--receiver', 'mx.receiver.example'],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        m = re.match(r'spf=(\w+)', proc.stdout)
        out.append(m.group(1) if proc.returncode == 0 and m else 'error')
    return out


def run_peer(cmd, scenarios, work, tag):
    path = os.path.join(work, f'spf-job-{tag}.json')
    with open(path, 'w') as f:
        json.dump(scenarios, f)
    proc = subprocess.run(cmd + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode:
        raise RuntimeError(f'{tag} failed: {proc.stderr.strip()[-800:]}')
    return [json.loads(line)['result'] for line in proc.stdout.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--tool', required=True)
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--count', type=int, default=int(os.environ.get('SPF_INTEROP_COUNT', 500)))
    ap.add_argument('--seed', type=int, default=7208)
    ap.add_argument('--node', default='node')
    args = ap.parse_args()

    rng = random.Random(args.seed)
    scenarios = [gen_scenario(rng, k) for k in range(args.count)]
    if os.path.isdir(args.workdir):
        shutil.rmtree(args.workdir)
    os.makedirs(args.workdir)
    zone = os.path.join(args.workdir, 'spf.zone')
    with open(zone, 'w') as f:
        f.write(zone_file(scenarios))

    results = {'libmailauth': run_ours(args.tool, zone, scenarios)}
    py = python_with('spf')
    if py:
        results['pyspf'] = run_peer([py, os.path.join(HERE, 'peer_spf_pyspf.py')], scenarios,
                                    args.workdir, 'pyspf')
    else:
        print('spf interop: pyspf not available: left out')
    node = shutil.which(args.node)
    if node and os.path.isfile(os.path.join(HERE, 'node_modules', 'mailauth', 'package.json')):
        results['mailauth'] = run_peer([node, os.path.join(HERE, 'peer_spf_mailauth.js')],
                                       scenarios, args.workdir, 'mailauth')
    else:
        print('spf interop: npm mailauth not available: left out')
    peers = [p for p in results if p != 'libmailauth']
    if not peers:
        return 77

    ours = results['libmailauth']
    print(f'SPF interop over {len(scenarios)} generated scenarios (seed {args.seed})')
    for p in peers:
        same = sum(1 for a, b in zip(ours, results[p]) if a == b)
        print(f'  libmailauth = {p:<9} {same}/{len(scenarios)} ({100.0 * same / len(scenarios):.1f} %)')
    if len(peers) == 2:
        a, b = (results[p] for p in peers)
        peers_agree = [i for i in range(len(scenarios)) if a[i] == b[i]]
        same = sum(1 for i in peers_agree if ours[i] == a[i])
        print(f'  where {peers[0]} and {peers[1]} agree ({len(peers_agree)}): libmailauth agrees '
              f'on {same} ({100.0 * same / max(1, len(peers_agree)):.1f} %)')
    patterns = {}
    for i in range(len(scenarios)):
        key = tuple(results[p][i] for p in results)
        if len(set(key)) > 1:
            patterns.setdefault(key, []).append(i)
    for key, idx in sorted(patterns.items(), key=lambda kv: -len(kv[1])):
        print(f'  {" / ".join(results)} = {" / ".join(key)}: {len(idx)} scenarios '
              f'(e.g. {", ".join(map(str, idx[:5]))})')
    lone = [i for i in range(len(scenarios))
            if all(results[p][i] == results[peers[0]][i] for p in peers) and ours[i] != results[peers[0]][i]]
    for i in lone:
        s = scenarios[i]
        print(f'  scenario {i}: libmailauth {ours[i]}, peers {results[peers[0]][i]}: ip {s["ip"]} '
              f'sender {s["sender"]!r} record {s["zone"][s["helo"].split(".", 1)[1]]["TXT"][0]!r}')
    errors = sum(1 for r in ours if r == 'error')
    print(f'{len(lone)} scenarios where libmailauth alone differs; {errors} tool errors')
    return 1 if lone or errors else 0


if __name__ == '__main__':
    sys.exit(main())
