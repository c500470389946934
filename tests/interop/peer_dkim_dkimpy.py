#!/usr/bin/env python3
# peer_dkim_dkimpy.py — dkimpy (Debian python3-dkim) as a DKIM peer for dkim_interop.py.
#
#   peer_dkim_dkimpy.py JOB.json
#
# The job is the same JSON as peer_dkim_mailauth.js reads ("sign" with items, or "verify"
# with dns and files); "key" is PEM for rsa and the base64 Ed25519 seed for ed25519, as dkimpy
# takes them. Verification prints one JSON line per message: {"file", "results": [...]},
# checking every DKIM-Signature (dkimpy verifies one index at a time).
import json
import re

import dkim

from dkimpy_peer import dnsfunc_from, run_job


def sign(job):
    canon = tuple(c.encode() for c in job['canon'].split('/'))
    for src, dst in job['items']:
        with open(src, 'rb') as f:
            message = f.read()
        try:
            sig = dkim.sign(message, job['selector'].encode(), job['domain'].encode(),
                            job['key'].encode(), canonicalize=canon,
                            signature_algorithm=job['algo'].encode())
        except dkim.DKIMException as err:
            with open(dst + '.error', 'w') as f:
                f.write(str(err))
            continue
        with open(dst, 'wb') as f:
            f.write(sig + message)


def verify(job):
    dnsfunc = dnsfunc_from(job['dns'])
    for path in job['files']:
        with open(path, 'rb') as f:
            message = f.read()
        d = dkim.DKIM(message)
        head = re.split(rb'\r?\n\r?\n', message, maxsplit=1)[0]
        count = sum(1 for line in re.split(rb'\r?\n', head)
                    if line.lower().startswith(b'dkim-signature:'))
        results = []
        for i in range(count):
            try:
                ok = d.verify(idx=i, dnsfunc=dnsfunc)
            except Exception:  # dkimpy raises on malformed input; count it as a failure
                ok = False
            results.append('pass' if ok else 'fail')
        print(json.dumps({'file': path, 'results': results}), flush=True)


if __name__ == '__main__':
    run_job({'sign': sign, 'verify': verify})
