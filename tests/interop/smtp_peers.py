"""smtp_peers.py — receiving SMTP/LMTP peers on 127.0.0.1 for libmailsend's interop test and
benchmark, each started by the test and stopped when it ends:

- SmtpSink: Postfix's smtp-sink, dumping each transaction into a folder (-d);
- NodeSmtpServer: the npm smtp-server (peer_smtp_server.js), with STARTTLS and AUTH;
- DovecotLmtp: Dovecot's LMTP service delivering into a temporary Maildir per user, over TCP
  and over a Unix socket;
- DovecotSubmission: Dovecot's submission service (STARTTLS, AUTH with a known password,
  CHUNKING, PIPELINING) relaying every message to a given SMTP port (an SmtpSink);
- CaptureServer: a scripted server in this process that records the client's bytes exactly as
  they came off the wire (for the smuggling checks).

Each is a context manager; `port` (and `socket` for Dovecot) is set once it listens. A peer
that is not installed raises PeerMissing, which the test turns into a named skip.
"""

import json
import os
import pwd
import shutil
import socket
import subprocess
import threading
import time


class PeerMissing(Exception):
    pass


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=10.0, host="127.0.0.1"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("peer exited with status %d" % proc.returncode)
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("peer did not listen on port %d" % port)


def find_tool(name, extra_dirs=("/usr/sbin", "/usr/lib/dovecot")):
    found = shutil.which(name)
    if found:
        return found
    for d in extra_dirs:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    raise PeerMissing(name + " not installed")


def unprivileged_user():
    """smtp-sink insists on dropping privileges when started as root."""
    for name in ("nobody",):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    return None


class _Process:
    proc = None

    def _stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc):
        self._stop()
        return False


class SmtpSink(_Process):
    """smtp-sink [-L for LMTP] dumping every transaction into `dumpdir` (one file each:
    the envelope as X-Client-/X-Mail-From-/X-Rcpt-To-style lines, then the message)."""

    def __init__(self, dumpdir=None, args=(), lmtp=False, backlog=256, host="127.0.0.1"):
        self.exe = find_tool("smtp-sink")
        self.host = host  # "::1" listens on IPv6 loopback
        self.dumpdir = dumpdir
        self.args = list(args)
        self.lmtp = lmtp
        self.backlog = backlog

    def __enter__(self):
        try:
            self.port = free_port(self.host)
        except OSError as e:
            raise PeerMissing("no %s here: %s" % (self.host, e))
        cmd = [self.exe]
        if os.geteuid() == 0:
            user = unprivileged_user()
            if user is None:
                raise PeerMissing("no unprivileged user for smtp-sink")
            cmd += ["-u", user]
        if self.lmtp:
            cmd.append("-L")
        if self.dumpdir:
            os.makedirs(self.dumpdir, exist_ok=True)
            os.chmod(self.dumpdir, 0o777)
            cmd += ["-d", os.path.join(self.dumpdir, "%H%M%S.")]
        where = "[%s]" % self.host if ":" in self.host else self.host
        cmd += self.args + ["%s:%d" % (where, self.port), str(self.backlog)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        wait_port(self.port, self.proc, host=self.host)
        return self

    def dumps(self):
        """The dumped transactions, oldest first, as bytes."""
        if not self.dumpdir:
            return []
        names = sorted(os.listdir(self.dumpdir),
                       key=lambda n: os.stat(os.path.join(self.dumpdir, n)).st_mtime_ns)
        out = []
        for n in names:
            with open(os.path.join(self.dumpdir, n), "rb") as f:
                out.append(f.read())
        return out


class NodeSmtpServer(_Process):
    """The npm smtp-server; `config` as documented in peer_smtp_server.js (dir is filled in)."""

    def __init__(self, node, script, workdir, config):
        if not node or shutil.which(node) is None and not os.access(node, os.X_OK):
            raise PeerMissing("node not installed")
        modules = os.path.join(os.path.dirname(script), "node_modules", "smtp-server")
        if not os.path.isdir(modules):
            raise PeerMissing("npm smtp-server not installed (tests/interop/setup.sh)")
        self.node = node
        self.script = script
        self.workdir = workdir
        self.config = dict(config)

    def __enter__(self):
        self.dir = os.path.join(self.workdir, "received")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.config["dir"] = self.dir
        cfg = os.path.join(self.workdir, "smtp-server.json")
        with open(cfg, "w") as f:
            json.dump(self.config, f)
        self.proc = subprocess.Popen([self.node, self.script, cfg], stdout=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("smtp-server did not start")
        self.port = json.loads(line)["port"]
        return self

    def received(self):
        """[(envelope dict, message bytes)] in the order the server accepted them."""
        out = []
        n = 1
        while os.path.exists(os.path.join(self.dir, "%d.json" % n)):
            with open(os.path.join(self.dir, "%d.json" % n)) as f:
                env = json.load(f)
            with open(os.path.join(self.dir, "%d.eml" % n), "rb") as f:
                out.append((env, f.read()))
            n += 1
        return out


class _DovecotMaster:
    """Dovecot's master run with a configuration written into a fresh `self.root`, stopped
    when the context ends."""

    def _prepare(self):
        """Makes the folders the master needs; returns the (user, group) its mail processes
        run as."""
        import grp
        shutil.rmtree(self.root, ignore_errors=True)
        for d in ("run", "state", "mail", "home"):
            os.makedirs(os.path.join(self.root, d))
        user = unprivileged_user() if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
        for d in ("mail", "home"):
            os.chmod(os.path.join(self.root, d), 0o777)
        return user, group

    def _start(self, conf_text, port):
        """Writes <root>/dovecot.conf, starts the master with it and waits for `port`."""
        self.conf = os.path.join(self.root, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        # The master daemonises and its children keep the standard streams: no pipes here.
        errlog = os.path.join(self.root, "start.err")
        with open(errlog, "w") as err:
            r = subprocess.run([self.exe, "-c", self.conf], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=err)
        if r.returncode != 0:
            with open(errlog) as err:
                raise RuntimeError("dovecot did not start: " + err.read().strip())
        wait_port(port, None)

    def __exit__(self, *exc):
        subprocess.run([self.exe, "-c", self.conf, "stop"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return False


DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = lmtp
ssl = no
listen = 127.0.0.1
mail_location = maildir:{root}/mail/%n
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 0
lmtp_save_to_detail_mailbox = no
lmtp_add_received_header = no
lmtp_hdr_delivery_address = none
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/home/%n allow_all_users=yes
}}
passdb {{
  driver = static
  args = nopassword=y
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
  unix_listener lmtp {{
    path = {root}/lmtp.sock
    mode = 0666
  }}
}}
service anvil {{
  chroot =
}}
"""


class DovecotLmtp(_DovecotMaster):
    """Dovecot's master with only the LMTP service; each recipient's mail lands in
    <root>/mail/<user>/new/. Dovecot is told not to add Received and Delivered-To; it still
    puts Return-Path at the top, which delivered() removes."""

    def __init__(self, root):
        self.exe = find_tool("dovecot", ("/usr/sbin",))
        find_tool("lmtp", ("/usr/lib/dovecot",))
        self.root = root

    def __enter__(self):
        user, group = self._prepare()
        self.port = free_port()
        self.socket = os.path.join(self.root, "lmtp.sock")
        self._start(DOVECOT_CONF.format(root=self.root, port=self.port, user=user,
                                        group=group), self.port)
        return self

    def delivered(self, user):
        """Messages in user's Maildir/new, oldest first, with Dovecot's Return-Path removed."""
        d = os.path.join(self.root, "mail", user, "new")
        if not os.path.isdir(d):
            return []
        out = []
        for n in sorted(os.listdir(d), key=lambda n: os.stat(os.path.join(d, n)).st_mtime_ns):
            with open(os.path.join(d, n), "rb") as f:
                data = f.read()
            if data.startswith(b"Return-Path:"):
                data = data[data.index(b"\n") + 1:]
            out.append(data)
        return out


# mail_debug makes the submission process log each command it receives ("Received new
# command: BDAT 83 LAST"), which is how the test sees whether the client used BDAT.
DOVECOT_SUBMISSION_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = submission
listen = 127.0.0.1
hostname = submission.test
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain login cram-md5 digest-md5 oauthbearer xoauth2
auth_verbose = yes
mail_debug = yes
mail_location = maildir:{root}/mail/%n
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 0
submission_relay_host = 127.0.0.1
submission_relay_port = {relay_port}
submission_relay_trusted = yes
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={root}/home/%n
}}
service submission-login {{
  inet_listener submission {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service anvil {{
  chroot =
}}
"""


class DovecotSubmission(_DovecotMaster):
    """Dovecot's master with only the submission service on 127.0.0.1:`port`: STARTTLS with
    `cert`/`key`, AUTH PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, OAUTHBEARER and XOAUTH2 for one
    account (`user`, `password` stored in clear so the challenge-response mechanisms work), and
    every accepted message relayed to 127.0.0.1:`relay_port`. Dovecot's OAUTHBEARER and XOAUTH2
    check the bearer token through the passdb like a password, so `password` is also the
    token: no authorization server is needed. Dovecot adds a Received field when relaying."""

    def __init__(self, root, relay_port, cert, key, user, password):
        self.exe = find_tool("dovecot", ("/usr/sbin",))
        find_tool("submission", ("/usr/lib/dovecot",))
        find_tool("submission-login", ("/usr/lib/dovecot",))
        self.root = root
        self.relay_port = relay_port
        self.cert, self.key = cert, key
        self.user, self.password = user, password

    def __enter__(self):
        user, group = self._prepare()
        with open(os.path.join(self.root, "passwd"), "w") as f:
            f.write("%s:{PLAIN}%s\n" % (self.user, self.password))
        self.port = free_port()
        self.log = os.path.join(self.root, "dovecot.log")
        self._start(DOVECOT_SUBMISSION_CONF.format(
            root=self.root, port=self.port, relay_port=self.relay_port, cert=self.cert,
            key=self.key, user=user, group=group), self.port)
        return self

    def log_size(self):
        """A mark in the log, for log_since()."""
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def log_since(self, mark):
        """The log's text written after `mark`."""
        try:
            with open(self.log, "rb") as f:
                f.seek(mark)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    @staticmethod
    def commands(text):
        """The commands the submission service received after login, in order, from a piece
        of its log."""
        key = "Received new command: "
        return [line.split(key, 1)[1].strip() for line in text.splitlines()
                if key in line and "submission(" in line]

    @staticmethod
    def logins(text):
        """[(user, method, over TLS)] of the successful logins in a piece of the log."""
        out = []
        for line in text.splitlines():
            if "submission-login: Info: Login: user=<" in line and "method=" in line:
                user = line.split("user=<", 1)[1].split(">", 1)[0]
                out.append((user, line.split("method=", 1)[1].split(",", 1)[0],
                            ", TLS," in line))
        return out


class CaptureServer:
    """A one-connection-at-a-time SMTP server that records the raw bytes the client sends.
    It offers `ehlo_lines` after EHLO, accepts every command, reads DATA up to CRLF.CRLF and
    BDAT by counted chunks, so what it keeps is exactly the client's wire bytes."""

    def __init__(self, ehlo_lines=("PIPELINING", "8BITMIME")):
        self.ehlo_lines = list(ehlo_lines)
        self.sessions = []
        self._sock = None

    def __enter__(self):
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._sock.close()
        return False

    def _serve(self):
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    self.sessions.append(self._session(conn))
                except (OSError, ValueError):
                    pass

    def _session(self, conn):
        rec = {"wire": bytearray(), "data": []}
        buf = bytearray()

        def fill():
            chunk = conn.recv(65536)
            if not chunk:
                raise ValueError("closed")
            buf.extend(chunk)
            rec["wire"].extend(chunk)

        def line():
            while b"\r\n" not in buf:
                fill()
            i = buf.index(b"\r\n")
            ln = bytes(buf[:i])
            del buf[:i + 2]
            return ln

        conn.sendall(b"220 capture ESMTP\r\n")
        while True:
            cmd = line()
            verb = cmd.split(b" ", 1)[0].upper()
            if verb in (b"EHLO", b"LHLO"):
                lines = [b"capture"] + [l.encode() for l in self.ehlo_lines]
                out = b"".join(b"250-" + l + b"\r\n" for l in lines[:-1])
                conn.sendall(out + b"250 " + lines[-1] + b"\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                while b"\r\n.\r\n" not in b"\r\n" + buf:
                    fill()
                joined = b"\r\n" + bytes(buf)
                end = joined.index(b"\r\n.\r\n")
                rec["data"].append(joined[2:end + 2] if end >= 2 else b"")
                del buf[:end + 3]
                conn.sendall(b"250 2.0.0 kept\r\n")
            elif verb == b"BDAT":
                parts = cmd.split()
                size = int(parts[1])
                while len(buf) < size:
                    fill()
                chunk = bytes(buf[:size])
                del buf[:size]
                if not rec["data"] or rec.get("bdat_done", True):
                    rec["data"].append(b"")
                rec["data"][-1] += chunk
                rec["bdat_done"] = len(parts) > 2 and parts[2].upper() == b"LAST"
                conn.sendall(b"250 2.0.0 chunk\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return rec
            else:
                conn.sendall(b"250 2.0.0 ok\r\n")
