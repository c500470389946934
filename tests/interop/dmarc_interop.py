#!/usr/bin/env python3
# dmarc_interop.py — DMARC verdicts of libmailauth and npm mailauth on generated scenarios.
"""Usage: dmarc_interop.py --lib BUILD/libmailauth/libmailauth.so --workdir DIR [--count N]
                         [--seed S] [--node NODE] [--psl FILE]

Generates N scenarios: a From domain (an Organizational Domain under com, org, net, co.uk,
org.uk, com.au or de, or a subdomain 1-3 labels below it, existing or not), _dmarc records at
the Organizational Domain and/or the From domain (random p/sp/np, adkim/aspf, pct=100, rua,
fo; sometimes malformed, several, or none), DNS failures, an SPF result with its domain
(strictly aligned, relaxed aligned or not aligned) and 0-3 DKIM results. Asks libmailauth
(through ctypes, RFC 7489 mode with the system's Public Suffix List) and npm mailauth's
lib/dmarc (resolver answering from the scenario's zone) for the verdict, and compares the
DMARC result, the policy chosen (p, sp or np) and, where both found a record, the alignment
of SPF and DKIM.

A disagreement counts as explained only by the named divergences of README.md ("DMARC"):
each one is a change of the scenario that makes libmailauth do what mailauth does (libmailauth
is run again on the changed scenario and must then agree on every field), or a pattern that
names the record that causes it. The rules that ignore a feature of mailauth's also check
that libmailauth's own answer is the RFC's. Prints agreement ratios, every pattern of
disagreement with examples, and exits 1 when a disagreement is not explained (or
libmailauth fails a call), 77 when node or mailauth is missing."""
import argparse
import copy
import ctypes
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys

from interop_zone import zone_text

HERE = os.path.dirname(os.path.abspath(__file__))

SUFFIXES = ['com', 'com', 'org', 'net', 'co.uk', 'co.uk', 'org.uk', 'com.au', 'de']
ORG_LABELS = ['example', 'acme', 'bank', 'widgets', 'news']
SUB_LABELS = ['mail', 'news', 'eu', 'dept', 'x1', 'shop', 'a', 'b']
POLICIES = ['none', 'quarantine', 'reject']

# mailauth_result / mailauth_dmarc_policy_kind / mailauth_dns_result values.
RESULTS = ['none', 'pass', 'fail', 'softfail', 'neutral', 'temperror', 'permerror', 'policy']
RESULT_CODE = {name: i for i, name in enumerate(RESULTS)}
DNS_TEMPFAIL = 3
RR_CODE = {None: 0, 'A': 1, 'MX': 15, 'TXT': 16, 'AAAA': 28}

# Record kinds the generator writes (kept in the scenario so the rules can name them).
INVALID_KINDS = {'no_p', 'bad_p', 'bad_sp', 'dup'}          # unusable: no rua= to save them
RUA_KINDS = {'no_p_rua', 'bad_p_rua', 'bad_sp_rua'}         # read as p=none (§6.6.3 step 6)
IGNORED_KINDS = {'vcase', 'junk'}                           # not DMARC records (§6.6.3 step 2)


# ---- scenarios ----------------------------------------------------------------------------

def gen_record(rng, org, kind):
    """The text of one _dmarc TXT record of `kind`."""
    rua = f'rua=mailto:dmarc@{org}'
    pol = rng.choice(POLICIES)
    if kind == 'no_p':
        return f'v=DMARC1; adkim={rng.choice("rs")}'
    if kind == 'no_p_rua':
        return f'v=DMARC1; {rua}'
    if kind == 'bad_p':
        return f'v=DMARC1; p={rng.choice(["bogus", "rejected", "", "none quarantine"])}'
    if kind == 'bad_p_rua':
        return f'v=DMARC1; p=maybe; {rua}'
    if kind == 'bad_sp':
        return f'v=DMARC1; p={pol}; sp=sometimes'
    if kind == 'bad_sp_rua':
        return f'v=DMARC1; p={pol}; sp=sometimes; {rua}'
    if kind == 'dup':
        return f'v=DMARC1; p={pol}; p={rng.choice(POLICIES)}'
    if kind == 'junk':
        return rng.choice(['google-site-verification=abc123', 'v=spf1 -all', 'DMARC1 p=reject'])
    tags = [f'p={pol.upper() if rng.random() < 0.1 else pol}']
    if rng.random() < 0.5:
        tags.append(f'sp={rng.choice(POLICIES)}')
    if rng.random() < 0.4:
        tags.append(f'np={rng.choice(POLICIES)}')
    if rng.random() < 0.45:
        tags.append(f'adkim={rng.choice("rs")}')
    if rng.random() < 0.45:
        tags.append(f'aspf={rng.choice("rs")}')
    if rng.random() < 0.2:
        tags.append('pct=100')
    if rng.random() < 0.5:
        tags.append(rua)
    if rng.random() < 0.15:       # other tags, or a value the RFC does not know (ignored)
        extra = rng.choice(['fo=1', 'ri=86400', 'rf=afrf', 'adkim=x', 'aspf=relaxed'])
        if not any(t.split('=')[0] == extra.split('=')[0] for t in tags):
            tags.append(extra)
    rng.shuffle(tags)
    sep = rng.choice(['; ', ';', '; '])
    text = sep.join(['v=DMARC1'] + tags) + (';' if rng.random() < 0.3 else '')
    if kind == 'vcase':
        text = 'v=dmarc1' + text[len('v=DMARC1'):]
    return text


def record_kind(rng):
    c = rng.random()
    if c < 0.72:
        return 'valid'
    return rng.choice(['no_p', 'no_p_rua', 'bad_p', 'bad_p_rua', 'bad_sp', 'bad_sp_rua', 'dup',
                       'vcase', 'junk'])


def mech_domain(rng, frm, org, suffix, label):
    """A domain for SPF or DKIM: strictly aligned, relaxed aligned or not aligned."""
    c = rng.random()
    if c < 0.35:
        return frm, 'strict'
    if c < 0.65:
        if frm != org and rng.random() < 0.6:
            return org, 'relaxed'
        return f'{rng.choice(["bounce", "mta", "s1.mail"])}.{frm}', 'relaxed'
    other = [f'{label}.{s}' for s in sorted(set(SUFFIXES)) if s != suffix]
    return rng.choice(other + [f'other.{suffix}', f'{label}-mail.{suffix}',
                               f'esp.example.net', f'{label}.{suffix}.evil.com']), 'unaligned'


def gen_scenario(rng):
    suffix = rng.choice(SUFFIXES)
    label = rng.choice(ORG_LABELS)
    org = f'{label}.{suffix}'
    frm = org
    if rng.random() < 0.65:
        frm = '.'.join(rng.sample(SUB_LABELS, rng.randint(1, 3))) + '.' + org
    zone = {}

    def add(name, rtype, value):
        zone.setdefault(name, {}).setdefault(rtype, []).append(value)

    add(org, 'A', '192.0.2.1')
    add(org, 'MX', [10, f'mx.{org}'])
    add(f'mx.{org}', 'A', '192.0.2.25')
    exists = frm == org or rng.random() < 0.55
    if frm != org and exists:
        rtype = rng.choice(['A', 'AAAA', 'MX'])
        add(frm, rtype, {'A': '192.0.2.7', 'AAAA': '2001:db8::7', 'MX': [10, f'mx.{org}']}[rtype])
    elif frm != org and rng.random() < 0.3:
        add(frm, 'TXT', 'v=spf1 -all')      # the name exists, but not for np= (RFC 9091 §2.1)

    where = rng.random()
    names = []
    if where < 0.5 or frm == org and where < 0.8:
        names = [org]
    elif where < 0.65:
        names = [frm]
    elif where < 0.8:
        names = [frm, org]
    kinds = {}
    for name in names:
        k = ['valid', 'valid'] if rng.random() < 0.07 else [record_kind(rng)]
        if rng.random() < 0.15:
            k.append('junk')
        kinds[f'_dmarc.{name}'] = k
        for kind in k:
            add(f'_dmarc.{name}', 'TXT', gen_record(rng, org, kind))

    fail = []
    c = rng.random()
    if c < 0.04:
        fail.append([f'_dmarc.{frm}', 'TXT'])
    elif c < 0.07 and frm != org:
        fail.append([f'_dmarc.{org}', 'TXT'])
    elif c < 0.10 and frm != org:
        fail.append([frm, rng.choice(['A', 'AAAA', 'MX'])])

    spf_result = rng.choice(['pass'] * 5 + ['fail', 'softfail', 'neutral', 'none', 'temperror',
                                             'permerror'])
    spf_domain, spf_kind = mech_domain(rng, frm, org, suffix, label)
    dkim, dkim_kinds = [], []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        d, k = mech_domain(rng, frm, org, suffix, label)
        dkim.append([d, 'pass' if rng.random() < 0.6 else 'fail'])
        dkim_kinds.append(k)
    return {'from': frm, 'org': org, 'exists': exists, 'zone': zone, 'fail': fail,
            'kinds': kinds, 'spf': [spf_domain, spf_result], 'spf_kind': spf_kind, 'dkim': dkim,
            'dkim_kinds': dkim_kinds}


# ---- libmailauth through ctypes -----------------------------------------------------------

class Resolver(ctypes.Structure):
    _fields_ = [('struct_size', ctypes.c_size_t), ('lookup', ctypes.c_void_p),
                ('user', ctypes.c_void_p)]


class DmarcOptions(ctypes.Structure):
    _fields_ = [('struct_size', ctypes.c_size_t), ('mode', ctypes.c_int),
                ('psl', ctypes.c_void_p), ('psl_file', ctypes.c_char_p),
                ('random', ctypes.c_void_p), ('random_user', ctypes.c_void_p),
                ('max_dkim', ctypes.c_size_t)]


class Lib:
    def __init__(self, path, psl_file):
        L = self.L = ctypes.CDLL(path)
        vp, cp, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        for name, res, args in [
                ('mailauth_zone_new', i, [vp, ctypes.POINTER(vp)]),
                ('mailauth_zone_free', None, [vp]),
                ('mailauth_zone_load', i, [vp, cp, ctypes.c_size_t, cp, vp]),
                ('mailauth_zone_fail', i, [vp, cp, i, i]),
                ('mailauth_zone_resolver', None, [vp, ctypes.POINTER(Resolver)]),
                ('mailauth_psl_new', i, [cp, ctypes.POINTER(vp)]),
                ('mailauth_psl_free', None, [vp]),
                ('mailauth_dmarc_options_init', None, [ctypes.POINTER(DmarcOptions)]),
                ('mailauth_dmarc_new', i, [ctypes.POINTER(DmarcOptions), ctypes.POINTER(vp)]),
                ('mailauth_dmarc_free', None, [vp]),
                ('mailauth_dmarc_set_from_domain', i, [vp, cp]),
                ('mailauth_dmarc_set_spf', i, [vp, cp, i]),
                ('mailauth_dmarc_add_dkim', i, [vp, cp, i]),
                ('mailauth_dmarc_run', i, [vp, ctypes.POINTER(Resolver)]),
                ('mailauth_dmarc_result', i, [vp]),
                ('mailauth_dmarc_reason', cp, [vp]),
                ('mailauth_dmarc_policy', i, [vp]),
                ('mailauth_dmarc_disposition', i, [vp]),
                ('mailauth_dmarc_policy_tag', ctypes.c_uint, [vp]),
                ('mailauth_dmarc_spf_alignment', i, [vp]),
                ('mailauth_dmarc_dkim_alignment', i, [vp]),
                ('mailauth_dmarc_record_domain', cp, [vp]),
                ('mailauth_strerror', cp, [i])]:
            fn = getattr(L, name)
            fn.restype, fn.argtypes = res, args
        self.psl = vp()
        rc = L.mailauth_psl_new(psl_file.encode() if psl_file else None, ctypes.byref(self.psl))
        if rc:
            raise RuntimeError(f'mailauth_psl_new: {L.mailauth_strerror(rc).decode()}')
        self.opts = DmarcOptions()
        L.mailauth_dmarc_options_init(ctypes.byref(self.opts))
        if self.opts.struct_size != ctypes.sizeof(DmarcOptions):
            raise RuntimeError('mailauth_dmarc_options does not have the layout this script knows')
        self.opts.mode = 0          # MAILAUTH_DMARC_MODE_RFC7489
        self.opts.psl = self.psl

    def _check(self, rc, what):
        if rc:
            raise RuntimeError(f'{what}: {self.L.mailauth_strerror(rc).decode()}')

    def check(self, s):
        """One scenario's verdict: the fields compared, plus what the rules look at."""
        L, vp = self.L, ctypes.c_void_p
        z, dm = vp(), vp()
        self._check(L.mailauth_zone_new(None, ctypes.byref(z)), 'mailauth_zone_new')
        try:
            text = zone_text(s['zone']).encode()
            self._check(L.mailauth_zone_load(z, text, len(text), None, None), 'mailauth_zone_load')
            for name, rtype in s['fail']:
                self._check(L.mailauth_zone_fail(z, name.encode(), RR_CODE[rtype], DNS_TEMPFAIL),
                            'mailauth_zone_fail')
            res = Resolver()
            L.mailauth_zone_resolver(z, ctypes.byref(res))
            self._check(L.mailauth_dmarc_new(ctypes.byref(self.opts), ctypes.byref(dm)),
                        'mailauth_dmarc_new')
            self._check(L.mailauth_dmarc_set_from_domain(dm, s['from'].encode()), 'set_from_domain')
            spf_domain, spf_result = s['spf']
            self._check(L.mailauth_dmarc_set_spf(dm, spf_domain.encode(), RESULT_CODE[spf_result]),
                        'set_spf')
            for d, r in s['dkim']:
                self._check(L.mailauth_dmarc_add_dkim(dm, d.encode(), RESULT_CODE[r]), 'add_dkim')
            self._check(L.mailauth_dmarc_run(dm, ctypes.byref(res)), 'mailauth_dmarc_run')
            result = RESULTS[L.mailauth_dmarc_result(dm)]
            found = result in ('pass', 'fail')
            spf_al = L.mailauth_dmarc_spf_alignment(dm)
            dkim_al = L.mailauth_dmarc_dkim_alignment(dm)
            rd = L.mailauth_dmarc_record_domain(dm)
            return {'result': result,
                    'policy': POLICIES[L.mailauth_dmarc_policy(dm)] if found else None,
                    'spf_aligned': spf_al == RESULT_CODE['pass'] if found else None,
                    'dkim_aligned': dkim_al == RESULT_CODE['pass'] if found else None,
                    'disposition': POLICIES[L.mailauth_dmarc_disposition(dm)],
                    'tag': L.mailauth_dmarc_policy_tag(dm),
                    'record_domain': rd.decode() if rd else None,
                    'reason': L.mailauth_dmarc_reason(dm).decode()}
        finally:
            L.mailauth_dmarc_free(dm)
            L.mailauth_zone_free(z)


# ---- mailauth -----------------------------------------------------------------------------

def run_peer(node, scenarios, work):
    path = os.path.join(work, 'dmarc-job-mailauth.json')
    with open(path, 'w') as f:
        json.dump(scenarios, f)
    proc = subprocess.run([node, os.path.join(HERE, 'peer_dmarc_mailauth.js'), path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode:
        raise RuntimeError(f'mailauth failed: {proc.stderr.strip()[-800:]}')
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if len(out) != len(scenarios):
        raise RuntimeError(f'mailauth answered {len(out)} of {len(scenarios)} scenarios')
    for o in out:   # the policy as the record wrote it; values compare without case (RFC 5234)
        if o.get('policy') is not None:
            o['policy'] = o['policy'].strip().lower()
    return out


# ---- comparison and the named divergences -------------------------------------------------

FIELDS = ['result', 'policy', 'spf_aligned', 'dkim_aligned']
MAILAUTH_RECORD = re.compile(r'^v=DMARC1\b', re.I)    # how mailauth tells a DMARC record


def differing(ours, peer):
    """The compared fields that differ; policy and alignment only where both found a record."""
    diff = []
    if ours['result'] != peer['result']:
        diff.append('result')
    if ours['result'] in ('pass', 'fail') and peer['result'] in ('pass', 'fail'):
        diff += [f for f in FIELDS[1:] if ours[f] != peer[f]]
    return diff


def rewrite_records(s, fn):
    """A copy of scenario `s` whose _dmarc TXT records at each name are fn(name, records)."""
    t = copy.deepcopy(s)
    for name, types in t['zone'].items():
        if name.startswith('_dmarc.') and 'TXT' in types:
            types['TXT'], t['kinds'][name] = fn(name, types['TXT'], t['kinds'][name])
    return t


def t_vcase(s):
    """mailauth takes v=dmarc1 as a DMARC record: write it v=DMARC1."""
    def fn(_name, recs, kinds):
        return ([('v=DMARC1' + r[8:]) if k == 'vcase' else r for r, k in zip(recs, kinds)],
                ['valid' if k == 'vcase' else k for k in kinds])
    return rewrite_records(s, fn)


def t_multi(s):
    """mailauth goes on to the Organizational Domain after several records: remove them."""
    def fn(_name, recs, kinds):
        if sum(1 for r in recs if MAILAUTH_RECORD.match(r.strip())) < 2:
            return recs, kinds
        keep = [(r, k) for r, k in zip(recs, kinds) if not MAILAUTH_RECORD.match(r.strip())]
        return [r for r, _ in keep], [k for _, k in keep]
    return rewrite_records(s, fn)


def t_aspf(s):
    """mailauth never applies strict alignment: make aspf=s relaxed."""
    return rewrite_records(s, lambda _n, recs, kinds: (
        [re.sub(r'\baspf=s\b', 'aspf=r', r) for r in recs], kinds))


def t_adkim(s):
    """mailauth never applies strict alignment: make adkim=s relaxed."""
    return rewrite_records(s, lambda _n, recs, kinds: (
        [re.sub(r'\badkim=s\b', 'adkim=r', r) for r in recs], kinds))


def t_np(s):
    """mailauth has no np=: remove it."""
    return rewrite_records(s, lambda _n, recs, kinds: (
        [re.sub(r';\s*np=[^;]*', '', r) for r in recs], kinds))


def without_vcase(s):
    return rewrite_records(s, lambda _n, recs, kinds: (
        [r for r, k in zip(recs, kinds) if k != 'vcase'], [k for k in kinds if k != 'vcase']))


# Each divergence: the change that makes libmailauth do what mailauth does, the fields that
# change may touch (None: any), and what libmailauth's own answer must be (RFC side).
TRANSFORMS = [
    ('vcase', t_vcase, None,      # ignored means as if absent (RFC 7489 §6.3, v=)
     lambda lib, s, ours: not differing(lib.check(without_vcase(s)), ours)),
    ('multi', t_multi, None,      # several records end discovery (RFC 7489 §6.6.3 step 5)
     lambda lib, s, ours: ours['result'] == 'permerror'),
    ('strict-spf', t_aspf, {'result', 'spf_aligned'},
     lambda lib, s, ours: strict_matters(s, ours, 'aspf')),
    ('strict-dkim', t_adkim, {'result', 'dkim_aligned'},
     lambda lib, s, ours: strict_matters(s, ours, 'adkim')),
    ('np', t_np, {'policy'}, lambda lib, s, ours: np_matters(s, ours)),
]
# Where they matter, rfc_checks() holds libmailauth's answer to the RFC's.


def effective_tags(s, ours):
    """The tags of the record libmailauth applied (lower case), or {}."""
    if not ours['record_domain']:
        return {}
    rec = next((r for r in s['zone'].get(f'_dmarc.{ours["record_domain"]}', {}).get('TXT', [])
                if r.startswith('v=DMARC1')), '')
    tags = dict(kv.strip().split('=', 1) for kv in rec.split(';') if '=' in kv)
    return {k.strip().lower(): v.strip().lower() for k, v in tags.items()}


def strict_matters(s, ours, tag):
    """adkim=s / aspf=s applies and a passing domain is aligned only relaxed."""
    if effective_tags(s, ours).get(tag) != 's':
        return False
    if tag == 'aspf':
        return s['spf'][1] == 'pass' and s['spf_kind'] == 'relaxed'
    return any(r == 'pass' and k == 'relaxed' for (_d, r), k in zip(s['dkim'], s['dkim_kinds']))


def nonexistent(s):
    """The From domain has no A, AAAA or MX and no lookup of them failed. A failed lookup
    counts as existing; but after NXDOMAIN for A nothing exists at or below the name
    (RFC 8020 §2), so a failure of AAAA or MX there changes nothing."""
    frm = s['from']
    in_dns = any(n == frm or n.endswith('.' + frm) for n in s['zone'])
    return not s['exists'] and not any(n == frm and (t == 'A' or in_dns) for n, t in s['fail'])


def np_matters(s, ours):
    tags = effective_tags(s, ours)
    return (ours['record_domain'] not in (None, s['from']) and tags.get('np') in POLICIES
            and nonexistent(s))


def stop_name(s):
    """The _dmarc name where RFC 7489 §6.6.3 discovery stops: the From domain's when it has a
    DMARC record (or a lookup failure), else the Organizational Domain's."""
    first = f'_dmarc.{s["from"]}'
    kinds = [k for k in s['kinds'].get(first, []) if k not in IGNORED_KINDS]
    return first if kinds or s['from'] == s['org'] else f'_dmarc.{s["org"]}'


def invalid_record(s, ours, peer, diff):
    """libmailauth: permerror for an unusable v=DMARC1 record; mailauth uses it."""
    kinds = [k for k in s['kinds'].get(stop_name(s), []) if k not in IGNORED_KINDS]
    return (diff == ['result'] and ours['result'] == 'permerror'
            and peer['result'] in ('pass', 'fail') and len(kinds) == 1
            and kinds[0] in INVALID_KINDS)


def rua_fallback(s, ours, peer, diff):
    """libmailauth: p=none for a record with a bad or missing p=/sp= and a valid rua=."""
    kinds = [k for k in s['kinds'].get(f'_dmarc.{ours["record_domain"]}', [])
             if k not in IGNORED_KINDS]
    return (diff == ['policy'] and ours['policy'] == 'none' and len(kinds) == 1
            and kinds[0] in RUA_KINDS)


PATTERNS = [('invalid-record', invalid_record), ('rua-fallback', rua_fallback)]


def rfc_checks(s, ours):
    """What the divergences leave unchecked by mailauth, checked against the RFCs: strict
    alignment, np=, the verdict from the alignments and the disposition. A list of problems."""
    problems = []
    if ours['result'] not in ('pass', 'fail'):
        return problems
    tags, frm = effective_tags(s, ours), s['from']
    if tags.get('aspf') == 's':       # RFC 7489 §3.1.2: strict is an exact match
        want = s['spf'][1] == 'pass' and s['spf'][0] == frm
        if ours['spf_aligned'] != want:
            problems.append(f'aspf=s: SPF aligned {ours["spf_aligned"]}, RFC {want}')
    if tags.get('adkim') == 's':      # RFC 7489 §3.1.1
        want = any(r == 'pass' and d == frm for d, r in s['dkim'])
        if ours['dkim_aligned'] != want:
            problems.append(f'adkim=s: DKIM aligned {ours["dkim_aligned"]}, RFC {want}')
    np = tags.get('np')
    if np in POLICIES and ours['record_domain'] != frm:
        sp = tags.get('sp') if tags.get('sp') in POLICIES else tags.get('p')
        want = np if nonexistent(s) else sp                 # RFC 9091: np=, non-existent
        if ours['policy'] != want:
            problems.append(f'np={np}: policy {ours["policy"]}, RFC {want}')
    # §6.6.2: pass when SPF or DKIM is aligned; pct=100 only: the disposition is the
    # policy on fail, none otherwise (§6.6.4).
    if (ours['result'] == 'pass') != bool(ours['spf_aligned'] or ours['dkim_aligned']):
        problems.append(f'result {ours["result"]} with alignments {ours["spf_aligned"]}, '
                        f'{ours["dkim_aligned"]}')
    want_disp = ours['policy'] if ours['result'] == 'fail' else 'none'
    if ours['disposition'] != want_disp:
        problems.append(f'disposition {ours["disposition"]}, expected {want_disp}')
    return problems


def explain(lib, s, ours, peer):
    """The names of the divergences that explain ours != peer, or None. A change counts only
    when it touches the scenario, changes libmailauth's answer only in the fields it may
    touch, and libmailauth's own answer is the RFC's side of it."""
    for n in range(len(TRANSFORMS) + 1):
        for combo in itertools.combinations(TRANSFORMS, n):
            t, answer, ok, fields = s, ours, True, set()
            for _name, fn, touch, rfc_side in combo:
                changed = fn(t)
                ok = changed['zone'] != t['zone'] and rfc_side(lib, t, answer)
                if not ok:
                    break
                fields = None if fields is None or touch is None else fields | touch
                t, answer = changed, lib.check(changed)
            if not ok:
                continue
            again = answer
            moved = {f for f in FIELDS if again[f] != ours[f]}
            # The change must change libmailauth's answer (its verdict, or only why: several
            # records, then an invalid one), and only in the fields it may touch.
            if combo and ((not moved and again['reason'] == ours['reason'])
                          or (fields is not None and not moved <= fields)):
                continue
            diff = differing(again, peer)
            names = [c[0] for c in combo]
            if not diff:
                return names
            for pname, rule in PATTERNS:
                if rule(t, again, peer, diff):
                    return names + [pname]
    return None


def describe(s):
    recs = {n: v['TXT'] for n, v in s['zone'].items() if n.startswith('_dmarc.') and 'TXT' in v}
    return (f'from {s["from"]} ({"exists" if s["exists"] else "no A/AAAA/MX"}), '
            f'records {recs}, fail {s["fail"]}, spf {s["spf"]}, dkim {s["dkim"]}')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--lib', required=True, help='the built libmailauth.so')
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--count', type=int, default=int(os.environ.get('DMARC_INTEROP_COUNT', 500)))
    ap.add_argument('--seed', type=int, default=7489)
    ap.add_argument('--node', default='node')
    ap.add_argument('--psl', default=None, help='Public Suffix List file (default: libpsl\'s '
                                                'psl_latest(), the system\'s list)')
    ap.add_argument('--verbose', action='store_true', help='print every disagreement')
    args = ap.parse_args()

    node = shutil.which(args.node)
    modules = os.environ.get('MAILAUTH_NODE_MODULES', os.path.join(HERE, 'node_modules'))
    if not node or not os.path.isfile(os.path.join(modules, 'mailauth', 'package.json')):
        print('dmarc interop: node or npm mailauth not available: skipped')
        return 77

    rng = random.Random(args.seed)
    scenarios = [gen_scenario(rng) for _ in range(args.count)]
    if os.path.isdir(args.workdir):
        shutil.rmtree(args.workdir)
    os.makedirs(args.workdir)

    lib = Lib(args.lib, args.psl)
    ours = [lib.check(s) for s in scenarios]
    peer = run_peer(node, scenarios, args.workdir)
    total = len(scenarios)

    print(f'DMARC interop over {total} generated scenarios (seed {args.seed}), '
          f'libmailauth (RFC 7489 mode, system PSL) vs npm mailauth')
    same = sum(1 for o, p in zip(ours, peer) if not differing(o, p))
    print(f'  all compared fields  {same}/{total} ({100.0 * same / total:.1f} %)')
    for f in FIELDS:
        if f == 'result':
            idx = range(total)
        else:
            idx = [i for i in range(total) if ours[i]['result'] in ('pass', 'fail')
                   and peer[i]['result'] in ('pass', 'fail')]
        agree = sum(1 for i in idx if ours[i][f] == peer[i][f])
        print(f'  {f:<19}  {agree}/{len(idx)} ({100.0 * agree / max(1, len(idx)):.1f} %)')
    dist = {}
    for o in ours:
        dist[o['result']] = dist.get(o['result'], 0) + 1
    print('  libmailauth results: ' + ', '.join(f'{k} {v}' for k, v in sorted(dist.items())))

    patterns, unexplained, problems = {}, [], []
    for i, s in enumerate(scenarios):
        for p in rfc_checks(s, ours[i]):
            problems.append((i, p))
        diff = differing(ours[i], peer[i])
        if not diff:
            continue
        names = explain(lib, s, ours[i], peer[i])
        key = (' + '.join(names) if names is not None else 'UNEXPLAINED',
               ', '.join(f'{f} {ours[i][f]}/{peer[i][f]}' for f in diff))
        patterns.setdefault(key, []).append(i)
        if names is None:
            unexplained.append(i)
    print('disagreements (libmailauth/mailauth), by divergence:')
    for (names, what), idx in sorted(patterns.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f'  [{names}] {what}: {len(idx)} (e.g. {", ".join(map(str, idx[:5]))})')
        shown = idx if args.verbose or names == 'UNEXPLAINED' else idx[:1]
        for i in shown:
            print(f'      #{i}: {describe(scenarios[i])}')
    for i, p in problems:
        print(f'  libmailauth departs from the RFC in scenario {i}: {p}: {describe(scenarios[i])}')
    explained = sum(len(v) for k, v in patterns.items() if k[0] != 'UNEXPLAINED')
    print(f'{total - explained - len(unexplained)} agree, {explained} differ by named divergences, '
          f'{len(unexplained)} unexplained; {len(problems)} RFC check failures')
    return 1 if unexplained or problems else 0


if __name__ == '__main__':
    sys.exit(main())
