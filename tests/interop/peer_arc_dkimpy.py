#!/usr/bin/env python3
# peer_arc_dkimpy.py — dkimpy (Debian python3-dkim) as an ARC peer for arc_interop.py.
#
#   peer_arc_dkimpy.py JOB.json
#
# The job is the same JSON as peer_arc_mailauth.js reads:
#   {"op": "seal", "key": PEM, "selector", "domain", "srv_id", "items": [[in, out], ...]}:
#     each message `in` gets a new ARC set (dkim.arc_sign, rsa-sha256: dkimpy seals with
#     nothing else) written to `out` on top of the message, or `out`.error saying why not.
#     dkimpy takes the chain status (cv=) from the arc= result of the message's
#     Authentication-Results fields whose authserv-id is srv_id, as its design asks;
#   {"op": "verify", "dns": {name: txt}, "files": [...]}: prints one JSON line per message,
#     {"file", "result": "pass"|"fail"|"none", "reason"} (dkim.arc_verify), and when dkimpy
#     refused an ed25519-sha256 set, "with_ed25519": the result with that algorithm allowed.
import hashlib
import json

import dkim
from dkim.crypto import ARC_HASH_ALGORITHMS

from dkimpy_peer import dnsfunc_from, run_job


def seal(job):
    for src, dst in job['items']:
        with open(src, 'rb') as f:
            message = f.read()
        try:
            fields = dkim.arc_sign(message, job['selector'].encode(), job['domain'].encode(),
                                   job['key'].encode(), job['srv_id'].encode())
        except Exception as err:  # DKIMException, or authres failing on a field it cannot parse
            fields, why = [], f'{type(err).__name__}: {err}'
        else:
            why = 'no set made (no Authentication-Results of srv_id, or the chain ended)'
        if not fields:
            with open(dst + '.error', 'w') as f:
                f.write(why)
            continue
        with open(dst, 'wb') as f:
            f.write(b''.join(fields) + message)


def arc_verify(message, dnsfunc):
    """(result, reason) of dkim.arc_verify."""
    try:
        cv, _, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    except Exception as err:  # dkimpy raises on some malformed input; a failure to us
        cv, reason = b'fail', f'{type(err).__name__}: {err}'
    # cv None: "the chain is terminated" (a seal says cv=fail): a fail as RFC 8617 §5.2 sees it
    return (cv.decode() if cv else 'fail'), reason


def verify(job):
    dnsfunc = dnsfunc_from(job['dns'])
    for path in job['files']:
        with open(path, 'rb') as f:
            message = f.read()
        record = {'file': path}
        record['result'], record['reason'] = arc_verify(message, dnsfunc)
        if record['reason'] == "unknown signature algorithm: b'ed25519-sha256'":
            # dkimpy verifies ARC with rsa-sha256 only; what it finds with ed25519-sha256
            # allowed too (its DKIM code has the algorithm) decides the named divergence.
            ARC_HASH_ALGORITHMS[b'ed25519-sha256'] = hashlib.sha256
            try:
                record['with_ed25519'] = arc_verify(message, dnsfunc)[0]
            finally:
                del ARC_HASH_ALGORITHMS[b'ed25519-sha256']
        print(json.dumps(record), flush=True)


if __name__ == '__main__':
    run_job({'seal': seal, 'verify': verify})
