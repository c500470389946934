#!/usr/bin/env python3
"""mailsend_interop.py — examples/mailsend against real receiving servers on 127.0.0.1:

  smtp-sink     Postfix's test server (plain ESMTP with PIPELINING, DSN): several
                recipients, --mx routing through a zone file, dot-stuffed lines;
  smtp-server   the npm server: STARTTLS required and verified against a test CA, implicit
                TLS, every AUTH mechanism it offers (PLAIN, LOGIN, CRAM-MD5, XOAUTH2), AUTH
                refused over plaintext, a wrong password, partial acceptance (550 and 450
                recipients), SIZE, and DKIM-signed mail verified by dkimpy;
  Dovecot LMTP  over TCP and over its Unix socket, a reply per recipient, delivered into
                Maildirs;
  Dovecot submission
                STARTTLS, AUTH DIGEST-MD5, CRAM-MD5, OAUTHBEARER and XOAUTH2 each forced, a
                wrong password and a wrong token refused, BDAT (one and several chunks); the
                message relayed to smtp-sink must arrive intact;
  capture       a scripted server in this process recording the wire bytes, with and
                without CHUNKING, for the smuggling cases (bare LF ".", "\\r.\\r", "\\n.\\n",
                leading dots).

For every delivered message the bytes the server stored must equal the message sent (line
ends made CRLF, dot-stuffing undone by the server). Each peer that is not installed is
skipped by name; the test fails on any mismatch and exits 77 (skip) when no peer runs.
Prints one line per case and "N passed, N failed, N skipped".
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import find_peers  # noqa: E402
import smtp_peers as P  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

MESSAGES = {
    "plain": b"From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: hello\n"
             b"Message-ID: <1@example.org>\n\nHello Bob.\n",
    "dots": b"From: alice@example.org\r\nTo: bob@example.com\r\nSubject: dots\r\n\r\n"
            b".\r\n..\r\n.leading\r\nmiddle . dot\r\n.\r\n",
    "bare-lf-dot": b"From: alice@example.org\nSubject: smuggle 1\n\nline\n.\nMAIL FROM:<x@evil>\n",
    "cr-dot-cr": b"From: alice@example.org\r\nSubject: smuggle 2\r\n\r\nline\r.\rRCPT TO:<x@evil>\r\n",
    "lf-dot-lf": b"From: alice@example.org\r\nSubject: smuggle 3\r\n\r\nline\n.\nDATA\r\n",
    "mixed": b"From: alice@example.org\r\nSubject: smuggle 4\r\n\r\na\r\n.\nb\r.\r\nc\n\r.\r\n",
    "no-final-eol": b"From: alice@example.org\r\nSubject: no eol\r\n\r\nlast line",
    "eight-bit": "From: alice@example.org\nSubject: caf\u00e9\nContent-Type: text/plain; "
                 "charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nd\u00e9j\u00e0 vu\n".encode(),
}


def crlf(data):
    """What the client must send (before dot-stuffing): every CR, LF or CRLF made CRLF, and a
    final line end."""
    out = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    if not out.endswith(b"\r\n"):
        out += b"\r\n"
    return out


def lf(data):
    return crlf(data).replace(b"\r\n", b"\n")


def unstuff(data):
    """RFC 5321 §4.5.2 undone: a leading '.' of a line is removed."""
    lines = data.split(b"\r\n")
    return b"\r\n".join(l[1:] if l.startswith(b".") else l for l in lines)


class Runner:
    def __init__(self, tool, workdir):
        self.tool = tool
        self.workdir = workdir
        self.passed = self.failed = self.skipped = 0

    def send(self, name, message, *args):
        path = os.path.join(self.workdir, name + ".eml")
        with open(path, "wb") as f:
            f.write(message)
        r = subprocess.run([self.tool] + list(args) + [path], capture_output=True, text=True,
                           timeout=120)
        return r

    def check(self, case, ok, why=""):
        if ok:
            self.passed += 1
            print("ok    %s" % case)
        else:
            self.failed += 1
            print("FAIL  %s%s" % (case, ": " + why if why else ""))

    def skip(self, case, why):
        self.skipped += 1
        print("skip  %s: %s" % (case, why))


def outcome(stdout):
    """{recipient: status} from the tool's lines."""
    res = {}
    for line in stdout.splitlines():
        parts = line.split(" ", 2)
        if len(parts) >= 2:
            res[parts[1]] = parts[0]
    return res


def sink_message(dump):
    """smtp-sink's dump: its X-* envelope lines and Received fields (its own, and those of a
    relay in front of it), then the message (LF)."""
    lines = dump.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith(b"X-"):
        i += 1
    while i < len(lines) and lines[i].startswith(b"Received:"):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    body = b"\n".join(lines[i:])
    return body[:-1] if body.endswith(b"\n\n") else body  # the dump's own final line end


def run_sink(r):
    import time
    try:
        with P.SmtpSink(os.path.join(r.workdir, "sink")) as s:
            srv = "127.0.0.1:%d" % s.port
            for name in ("plain", "dots", "bare-lf-dot", "cr-dot-cr", "mixed", "no-final-eol"):
                res = r.send(name, MESSAGES[name], "--server", srv, "--plain",
                             "--from", "alice@example.org",
                             "--to", "bob@example.com", "--to", "carol@example.net")
                time.sleep(0.1)
                dumps = s.dumps()
                got = sink_message(dumps[-1]) if dumps else b""
                r.check("smtp-sink %s" % name,
                        res.returncode == 0 and outcome(res.stdout) == {
                            "bob@example.com": "accepted", "carol@example.net": "accepted"}
                        and got == lf(MESSAGES[name]),
                        "exit %d %r, stored %r" % (res.returncode, res.stdout, got[:200]))
            # --mx: the zone routes example.test to this host (the port comes from --port).
            zone = os.path.join(r.workdir, "route.zone")
            with open(zone, "w") as f:
                f.write("$ORIGIN example.test.\n@ MX 20 backup\n@ MX 10 primary\n"
                        "primary A 127.0.0.1\nbackup A 127.0.0.1\n"
                        "$ORIGIN nomail.test.\n@ MX 0 .\n")
            res = r.send("mx", MESSAGES["plain"], "--mx", "--zone", zone, "--port",
                         str(s.port), "--plain", "--from", "alice@example.org",
                         "--to", "x@example.test", "--to", "y@nomail.test")
            o = outcome(res.stdout)
            r.check("smtp-sink --mx routing (and RFC 7505 null MX refused)",
                    res.returncode == 1 and o == {"x@example.test": "accepted",
                                                  "y@nomail.test": "permfail"}
                    and "null-mx" in res.stdout, res.stdout + res.stderr)
            # A server refusing RCPT (smtp-sink -f RCPT) gives a permanent failure per recipient.
        # IPv6: the server named by its address, and an MX whose host has only an AAAA record.
        try:
            with P.SmtpSink(os.path.join(r.workdir, "sink6"), host="::1") as s:
                res = r.send("ipv6", MESSAGES["plain"], "--server", "[::1]:%d" % s.port,
                             "--plain", "--from", "a@example.org", "--to", "b@example.com")
                zone = os.path.join(r.workdir, "v6.zone")
                with open(zone, "w") as f:
                    f.write("$ORIGIN v6.test.\n@ MX 10 mx\nmx AAAA ::1\n")
                res6 = r.send("ipv6-mx", MESSAGES["plain"], "--mx", "--zone", zone, "--port",
                              str(s.port), "--plain", "--from", "a@example.org",
                              "--to", "c@v6.test")
                import time
                time.sleep(0.1)
                got = [sink_message(d) for d in s.dumps()]
                r.check("smtp-sink on ::1: IPv6 by address and by an AAAA-only MX host",
                        res.returncode == 0 and res6.returncode == 0 and len(got) == 2
                        and all(g == lf(MESSAGES["plain"]) for g in got),
                        res.stdout + res.stderr + res6.stdout + res6.stderr)
        except (P.PeerMissing, RuntimeError) as e:
            r.skip("smtp-sink on ::1", "no IPv6 loopback here: %s" % e)
        with P.SmtpSink(None, args=["-r", "RCPT"]) as s:
            res = r.send("tempfail", MESSAGES["plain"], "--server", "127.0.0.1:%d" % s.port,
                         "--plain", "--from", "a@example.org", "--to", "b@example.com")
            r.check("smtp-sink 450 to RCPT is a temporary failure",
                    res.returncode == 1 and outcome(res.stdout) == {"b@example.com": "tempfail"},
                    res.stdout + res.stderr)
        with P.SmtpSink(None, args=["-q", "DATA"]) as s:
            res = r.send("drop", MESSAGES["plain"], "--server", "127.0.0.1:%d" % s.port,
                         "--plain", "--from", "a@example.org", "--to", "b@example.com")
            r.check("smtp-sink drops the connection at DATA: temporary failure, no hang",
                    res.returncode == 1 and outcome(res.stdout) == {"b@example.com": "tempfail"},
                    res.stdout + res.stderr)
    except P.PeerMissing as e:
        r.skip("smtp-sink", str(e))


def make_ca(workdir):
    """A CA and a server certificate for localhost / 127.0.0.1, made with openssl."""
    d = os.path.join(workdir, "pki")
    os.makedirs(d, exist_ok=True)

    def ssl(*a):
        subprocess.run(["openssl"] + list(a), check=True, capture_output=True)
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/ca.key", "-out",
        d + "/ca.pem", "-days", "2", "-subj", "/CN=libmail test CA")
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", d + "/server.key", "-out",
        d + "/server.csr", "-subj", "/CN=localhost")
    with open(d + "/ext.cnf", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    ssl("x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
        "-CAcreateserial", "-out", d + "/server.pem", "-days", "2", "-extfile", d + "/ext.cnf")
    return d


def dkim_verify(workdir, name, message, selector, domain, pubkey_b64):
    """dkimpy's verdict on the message's DKIM-Signature ("pass" / "fail"), through
    peer_dkim_dkimpy.py; None when no interpreter has dkimpy."""
    py = find_peers.python_with("dkim")
    if py is None:
        return None
    path = os.path.join(workdir, name + ".received")
    with open(path, "wb") as f:
        f.write(message)
    job = os.path.join(workdir, name + ".job.json")
    with open(job, "w") as f:
        json.dump({"op": "verify", "files": [path],
                   "dns": {"%s._domainkey.%s" % (selector, domain):
                           "v=DKIM1; k=rsa; p=" + pubkey_b64}}, f)
    out = subprocess.run([py, os.path.join(HERE, "peer_dkim_dkimpy.py"), job],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        return json.loads(line)["results"] == ["pass"]
    return False


def run_node(r, node):
    try:
        pki = make_ca(r.workdir)
    except (OSError, subprocess.CalledProcessError) as e:
        r.skip("smtp-server", "openssl: %s" % e)
        return
    script = os.path.join(HERE, "peer_smtp_server.js")
    base = {"key": pki + "/server.key", "cert": pki + "/server.pem",
            "auth": ["PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"], "user": "user",
            "password": "secret", "rejectRcpt": ["nobody@example.com"],
            "tempfailRcpt": ["busy@example.com"], "size": 200000}
    try:
        with P.NodeSmtpServer(node, script, os.path.join(r.workdir, "node"), base) as n:
            srv = "localhost:%d" % n.port
            tls = ["--server", srv, "--starttls", "--ca", pki + "/ca.pem"]
            count = 0
            for mech in ("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"):
                cred = ["--token", "secret"] if mech == "XOAUTH2" else ["--password", "secret"]
                res = r.send("auth-" + mech, MESSAGES["dots"], *tls, "--user", "user", *cred,
                             "--mech", mech, "--from", "alice@example.org",
                             "--to", "bob@example.com", "--to", "nobody@example.com",
                             "--to", "busy@example.com")
                got = n.received()
                ok = len(got) == count + 1
                count = len(got)
                env, data = got[-1] if got else ({}, b"")
                r.check("smtp-server STARTTLS + AUTH %s, partial acceptance" % mech,
                        ok and outcome(res.stdout) == {"bob@example.com": "accepted",
                                                       "nobody@example.com": "permfail",
                                                       "busy@example.com": "tempfail"}
                        and env.get("user") == "user" and env.get("secure") is True
                        and env.get("to") == ["bob@example.com"]
                        and data == crlf(MESSAGES["dots"]),
                        "exit %d %r %r %r" % (res.returncode, res.stdout, res.stderr, env))
            # The best mechanism is chosen when none is forced.
            res = r.send("auth-best", MESSAGES["plain"], *tls, "--user", "user", "--password",
                         "secret", "--from", "a@example.org", "--to", "bob@example.com")
            r.check("smtp-server AUTH with the best offered mechanism",
                    res.returncode == 0 and n.received()[-1][0].get("user") == "user",
                    res.stdout + res.stderr)
            res = r.send("auth-wrong", MESSAGES["plain"], *tls, "--user", "user",
                         "--password", "wrong", "--from", "a@example.org",
                         "--to", "bob@example.com")
            r.check("smtp-server wrong password: refused, nothing sent",
                    res.returncode == 1 and len(n.received()) == count + 1
                    and "tempfail" in res.stdout, res.stdout + res.stderr)
            count = len(n.received())
            res = r.send("auth-plaintext", MESSAGES["plain"], "--server", srv, "--plain",
                         "--user", "user", "--password", "secret", "--from", "a@example.org",
                         "--to", "bob@example.com")
            r.check("AUTH over plaintext refused by the client unless allowed",
                    res.returncode == 1 and len(n.received()) == count,
                    res.stdout + res.stderr)
            res = r.send("wrong-ca", MESSAGES["plain"], "--server", srv, "--starttls",
                         "--from", "a@example.org", "--to", "bob@example.com")
            r.check("certificate from an unknown CA refused (system store)",
                    res.returncode == 1 and len(n.received()) == count
                    and "certificate" in res.stderr, res.stdout + res.stderr)
            res = r.send("wrong-name", MESSAGES["plain"], "--server", srv, "--starttls",
                         "--ca", pki + "/ca.pem", "--tls-name", "mail.example.com",
                         "--from", "a@example.org", "--to", "bob@example.com")
            r.check("certificate for another name refused",
                    res.returncode == 1 and len(n.received()) == count, res.stdout + res.stderr)
            big = MESSAGES["plain"] + b"x" * 76 + b"\n"
            big = big * (250000 // len(big))
            res = r.send("too-big", big, *tls, "--from", "a@example.org",
                         "--to", "bob@example.com")
            r.check("SIZE: a message over the server's limit is refused before sending",
                    res.returncode == 1 and len(n.received()) == count
                    and "permfail" in res.stdout, res.stdout + res.stderr)
            # DKIM on send, verified by dkimpy on what the server stored.
            key = os.path.join(r.workdir, "dkim.key")
            subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                            "rsa_keygen_bits:2048", "-out", key], check=True,
                           capture_output=True)
            der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"],
                                 check=True, capture_output=True).stdout
            for name in ("plain", "dots", "cr-dot-cr", "no-final-eol"):
                res = r.send("dkim-" + name, MESSAGES[name], *tls, "--user", "user",
                             "--password", "secret", "--dkim-key", key,
                             "--dkim-selector", "sel", "--dkim-domain", "example.org",
                             "--from", "alice@example.org", "--to", "bob@example.com")
                data = n.received()[-1][1]
                v = dkim_verify(r.workdir, "dkim-" + name, data, "sel", "example.org",
                                base64.b64encode(der).decode())
                if v is None:
                    r.skip("DKIM-signed %s verified by dkimpy" % name, "python3-dkim missing")
                    continue
                r.check("DKIM-signed %s verified by dkimpy" % name,
                        res.returncode == 0 and v and data.startswith(b"DKIM-Signature:")
                        and data.endswith(crlf(MESSAGES[name])), res.stdout + res.stderr)
            # --mx: opportunistic STARTTLS encrypts without verifying (RFC 7435) unless --verify.
            zone = os.path.join(r.workdir, "node-route.zone")
            with open(zone, "w") as f:
                f.write("$ORIGIN routed.test.\n@ MX 10 mx\nmx A 127.0.0.1\n")
            route = ["--mx", "--zone", zone, "--port", str(n.port), "--user", "user",
                     "--password", "secret", "--from", "a@example.org", "--to", "u@routed.test"]
            before = len(n.received())
            res = r.send("mx-tls", MESSAGES["plain"], *route)
            got = n.received()
            r.check("--mx: opportunistic STARTTLS without verification (RFC 7435), AUTH",
                    res.returncode == 0 and len(got) == before + 1
                    and got[-1][0].get("secure") is True, res.stdout + res.stderr)
            res = r.send("mx-verify", MESSAGES["plain"], *route, "--verify")
            r.check("--mx --verify: a certificate the system does not trust is refused",
                    res.returncode == 1 and len(n.received()) == before + 1
                    and "tempfail" in res.stdout, res.stdout + res.stderr)
        implicit = dict(base, secure=True)
        with P.NodeSmtpServer(node, script, os.path.join(r.workdir, "node465"), implicit) as n:
            res = r.send("implicit", MESSAGES["eight-bit"], "--server", "127.0.0.1:%d" % n.port,
                         "--tls", "--ca", pki + "/ca.pem", "--8bitmime", "--user", "user",
                         "--password", "secret", "--from", "a@example.org",
                         "--to", "bob@example.com")
            got = n.received()
            r.check("smtp-server implicit TLS (verified by IP address), 8BITMIME",
                    res.returncode == 0 and got and got[-1][1] == crlf(MESSAGES["eight-bit"])
                    and got[-1][0].get("secure") is True, res.stdout + res.stderr)
    except P.PeerMissing as e:
        r.skip("smtp-server", str(e))


def run_dovecot(r):
    try:
        with P.DovecotLmtp(os.path.join(r.workdir, "dovecot")) as d:
            for how, srv in (("TCP", "127.0.0.1:%d" % d.port), ("Unix socket", d.socket)):
                before = {u: len(d.delivered(u)) for u in ("bob", "carol")}
                res = r.send("lmtp", MESSAGES["dots"], "--server", srv, "--lmtp",
                             "--from", "alice@example.org", "--to", "bob@example.com",
                             "--to", "carol@example.com")
                ok = res.returncode == 0 and outcome(res.stdout) == {
                    "bob@example.com": "accepted", "carol@example.com": "accepted"}
                for u in ("bob", "carol"):
                    got = d.delivered(u)
                    ok = ok and len(got) == before[u] + 1 and got[-1] == lf(MESSAGES["dots"])
                r.check("Dovecot LMTP over %s, a reply per recipient, Maildir bytes equal" % how,
                        ok, res.stdout + res.stderr)
    except (P.PeerMissing, RuntimeError) as e:
        r.skip("Dovecot LMTP", str(e))


def wait_for(pred, timeout=3.0):
    import time
    end = time.monotonic() + timeout
    while not pred() and time.monotonic() < end:
        time.sleep(0.05)
    return pred()


def run_dovecot_submission(r):
    """Dovecot's submission service in front of smtp-sink: what smtp-sink stores, without the
    Received fields the two servers add, must be the message sent."""
    try:
        pki = make_ca(os.path.join(r.workdir, "submission-pki"))
    except (OSError, subprocess.CalledProcessError) as e:
        r.skip("Dovecot submission", "openssl: %s" % e)
        return
    try:
        with P.SmtpSink(os.path.join(r.workdir, "relay")) as sink, \
                P.DovecotSubmission(os.path.join(r.workdir, "submission"), sink.port,
                                    pki + "/server.pem", pki + "/server.key",
                                    "user", "secret") as d:
            tls = ["--server", "localhost:%d" % d.port, "--starttls", "--ca", pki + "/ca.pem",
                   "--user", "user", "--from", "alice@example.org", "--to", "bob@example.com"]

            def send(name, message, *args):
                """(tool result, relayed messages, log text) of one submission."""
                n0, mark = len(sink.dumps()), d.log_size()
                res = r.send(name, message, *tls, *args)
                if res.returncode == 0:
                    wait_for(lambda: len(sink.dumps()) > n0)
                    wait_for(lambda: any(c.startswith("QUIT")
                                         for c in d.commands(d.log_since(mark))))
                return res, [sink_message(x) for x in sink.dumps()[n0:]], d.log_since(mark)

            def bdat_sizes(log):
                """The chunk sizes of the BDAT commands, or None if DATA was used."""
                cmds = d.commands(log)
                if any(c.upper().startswith("DATA") for c in cmds):
                    return None
                return [int(c.split()[1]) for c in cmds if c.upper().startswith("BDAT ")]

            for mech in ("DIGEST-MD5", "CRAM-MD5", "OAUTHBEARER", "XOAUTH2"):
                cred = "--token" if mech in ("OAUTHBEARER", "XOAUTH2") else "--password"
                res, relayed, log = send("sub-" + mech, MESSAGES["dots"], cred, "secret",
                                         "--mech", mech)
                want = crlf(MESSAGES["dots"])
                r.check("Dovecot submission STARTTLS + AUTH %s, BDAT, relayed intact" % mech,
                        res.returncode == 0
                        and outcome(res.stdout) == {"bob@example.com": "accepted"}
                        and d.logins(log) == [("user", mech, True)]
                        and bdat_sizes(log) == [len(want)]
                        and relayed == [lf(MESSAGES["dots"])],
                        "exit %d %r %r relayed %r" % (res.returncode, res.stdout, res.stderr,
                                                      relayed))
            # Several chunks (the default chunk is 65536 octets), every line dot-stuffed on the
            # relay leg.
            big = MESSAGES["plain"] + b"".join(b".line %06d\n" % i for i in range(12000))
            res, relayed, log = send("sub-big", big, "--password", "secret")
            sizes = bdat_sizes(log) or []
            r.check("Dovecot submission AUTH PLAIN chosen, BDAT in several chunks, relayed "
                    "intact",
                    res.returncode == 0 and d.logins(log) == [("user", "PLAIN", True)]
                    and len(sizes) > 1 and sum(sizes) == len(crlf(big))
                    and relayed == [lf(big)],
                    "exit %d %r %r sizes %r" % (res.returncode, res.stdout, res.stderr, sizes))
            for what, args in (("password", ("--password", "wrong", "--mech", "DIGEST-MD5")),
                               ("token", ("--token", "wrong", "--mech", "OAUTHBEARER"))):
                res, relayed, log = send("sub-wrong-" + what, MESSAGES["plain"], *args)
                r.check("Dovecot submission wrong %s refused, nothing relayed" % what,
                        res.returncode == 1 and "tempfail" in res.stdout
                        and "authentication failed" in res.stderr and not d.logins(log)
                        and not relayed, res.stdout + res.stderr)
    except (P.PeerMissing, RuntimeError) as e:
        r.skip("Dovecot submission", str(e))


def run_capture(r):
    for chunking in (False, True):
        caps = ["PIPELINING", "8BITMIME"] + (["CHUNKING"] if chunking else [])
        label = "BDAT" if chunking else "DATA"
        with P.CaptureServer(caps) as c:
            for name in ("dots", "bare-lf-dot", "cr-dot-cr", "lf-dot-lf", "mixed",
                         "no-final-eol"):
                n0 = len(c.sessions)
                res = r.send("cap-" + name, MESSAGES[name], "--server",
                             "127.0.0.1:%d" % c.port, "--plain", "--from", "a@example.org",
                             "--to", "b@example.com")
                import time
                for _ in range(50):
                    if len(c.sessions) > n0:
                        break
                    time.sleep(0.05)
                sess = c.sessions[-1] if len(c.sessions) > n0 else None
                want = crlf(MESSAGES[name])
                ok = res.returncode == 0 and sess is not None and len(sess["data"]) == 1
                if ok and chunking:
                    ok = sess["data"][0] == want and bytes(sess["wire"]).count(b"BDAT ") >= 1
                elif ok:
                    wire = sess["data"][0]
                    # exactly one end-of-data on the wire, and the unstuffed text is the message
                    ok = unstuff(wire) == want and b"\r\n.\r\n" not in b"\r\n" + wire
                r.check("capture %s %s: wire bytes exact, one end of data" % (label, name), ok,
                        "%r %r" % (res.stdout + res.stderr, sess and bytes(sess["wire"])[:300]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--node", default="node")
    ap.add_argument("--setup", action="store_true", help="run setup.sh for the npm peers first")
    ap.add_argument("--cache")
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    if a.setup:
        cmd = [os.path.join(HERE, "setup.sh")] + ([a.cache] if a.cache else [])
        subprocess.run(cmd, stdout=subprocess.DEVNULL)
    r = Runner(a.tool, a.workdir)
    run_capture(r)
    run_sink(r)
    run_node(r, a.node)
    run_dovecot(r)
    run_dovecot_submission(r)
    print("%d passed, %d failed, %d skipped" % (r.passed, r.failed, r.skipped))
    if r.failed:
        return 1
    return 0 if r.passed else 77


if __name__ == "__main__":
    sys.exit(main())
