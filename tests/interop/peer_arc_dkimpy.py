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
#     refused an ed25519-sha256 set, "with_ed25519": the result with that algorithm allowed;
#     when it could not find an ARC-Message-Signature by its i= (AMS_LOOKUP_ERROR),
#     "with_refold" ("with_ed25519_refold"): the result on the message refolded (refold_ams).
import hashlib
import json
import re
import sys

import dkim
from dkim.crypto import ARC_HASH_ALGORITHMS


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


# dkimpy finds the raw ARC-Message-Signature of instance N by looking for " i=N;" in it, so
# one whose i= begins a folded line (after CRLF TAB) makes it fail with this error.
AMS_LOOKUP_ERROR = 'IndexError: list index out of range'


def refold_ams(message):
    """The message with a space put before an i= that begins a folded line of an
    ARC-Message-Signature: the same field under relaxed canonicalisation (RFC 6376 §3.4.2
    unfolds and makes each run of WSP one SP), which is the only one ARC uses."""
    head, sep, body = message.partition(b'\r\n\r\n')
    fields = re.split(rb'\r\n(?![ \t])', head)
    for k, field in enumerate(fields):
        if field.lower().startswith(b'arc-message-signature:'):
            fields[k] = re.sub(rb'\r\n([ \t]+)i=', rb'\r\n\1 i=', field)
    return b'\r\n'.join(fields) + sep + body


def arc_verify(message, dnsfunc):
    """(result, reason) of dkim.arc_verify."""
    try:
        cv, _, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    except Exception as err:  # dkimpy raises on some malformed input; a failure to us
        cv, reason = b'fail', f'{type(err).__name__}: {err}'
    # cv None: "the chain is terminated" (a seal says cv=fail): a fail as RFC 8617 §5.2 sees it
    return (cv.decode() if cv else 'fail'), reason


def verify(job):
    dns = {k.lower().rstrip('.'): v.encode() for k, v in job['dns'].items()}

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        return dns.get(name.lower().rstrip('.'))

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
                record['with_ed25519'], why = arc_verify(message, dnsfunc)
                if why == AMS_LOOKUP_ERROR:
                    record['with_ed25519_refold'] = arc_verify(refold_ams(message), dnsfunc)[0]
            finally:
                del ARC_HASH_ALGORITHMS[b'ed25519-sha256']
        elif record['reason'] == AMS_LOOKUP_ERROR:
            record['with_refold'] = arc_verify(refold_ams(message), dnsfunc)[0]
        print(json.dumps(record), flush=True)


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    (seal if job['op'] == 'seal' else verify)(job)


if __name__ == '__main__':
    main()
