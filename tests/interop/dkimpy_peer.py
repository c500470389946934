# dkimpy_peer.py — what peer_dkim_dkimpy.py and peer_arc_dkimpy.py share: reading the job
# file named on the command line, and the DNS of a job as a dkimpy dnsfunc.
import json
import sys


def dnsfunc_from(dns):
    """A dkimpy dnsfunc answering from {name: txt} (names compared without case and final dot)."""
    records = {k.lower().rstrip('.'): v.encode() for k, v in dns.items()}

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        return records.get(name.lower().rstrip('.'))

    return dnsfunc


def run_job(ops):
    """Reads the JSON job in argv[1] and runs ops[job['op']] on it."""
    with open(sys.argv[1]) as f:
        job = json.load(f)
    ops[job['op']](job)
