#!/usr/bin/env python3
# peer_spf_pyspf.py — pyspf (Debian python3-spf) as an SPF peer for spf_interop.py.
#
#   peer_spf_pyspf.py JOB.json
#
# JOB is the list of scenarios spf_interop.py generates ({"zone", "ip", "helo", "sender"});
# prints {"result": ...} per scenario, the MAIL FROM verdict of pyspf with its DNS answering
# from the scenario's zone (an unknown name has no records).
import json
import sys

import spf


def main():
    with open(sys.argv[1]) as f:
        scenarios = json.load(f)
    for s in scenarios:
        zone = {name.lower(): types for name, types in s['zone'].items()}

        def lookup(name, qtype, *args, **kwargs):
            types = zone.get(name.lower().rstrip('.'), {})
            out = []
            for value in types.get(qtype, []):
                if qtype == 'TXT':
                    value = [value.encode()]
                elif qtype == 'MX':
                    value = (value[0], value[1])
                out.append(((name, qtype), value))
            return out

        spf.DNSLookup = lookup
        try:
            result, _, _ = spf.query(s['ip'], s['sender'], s['helo'],
                                     receiver='mx.receiver.example').check()
        except Exception as err:  # pyspf raising is its own failure, not a verdict
            result = f'exception:{type(err).__name__}'
        print(json.dumps({'result': result}), flush=True)


if __name__ == '__main__':
    main()
