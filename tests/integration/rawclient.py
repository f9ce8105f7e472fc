#!/usr/bin/env python3
"""rawclient.py - a hostile, byte-level ledgerd client for the integration tests.

ledgerctl is a well-behaved client: it cannot omit its certificate, speak
TLS 1.2, send garbage, trickle a frame or stop reading its answers.  The
hardening tests (tls_neg.sh, abuse.sh, storage_full.sh, privileges.sh) need
exactly those, so this script speaks the frame format of proto/PROTOCOL.md
itself over Python's ssl module.

Each subcommand is one scenario.  It prints "ok - ..." and "FAIL - ..."
lines, which lib.sh's pyrun turns into checks, and exits 0 only when every
check passed; "# ..." lines are notes.  Every wait has a deadline so that a
daemon that hangs makes a check fail instead of the test.

Connection options: --port, --pki DIR and --cn NAME (the certificate
DIR/NAME.crt and key DIR/NAME.key; --no-cert for none), --ca FILE (default
DIR/ca.crt), --host (default 127.0.0.1, also the name checked in the server
certificate), --tls12 (a client that speaks at most TLS 1.2).
"""

import argparse
import os
import random
import socket
import ssl
import struct
import sys
import threading
import time

MAGIC = 0x4C474431
HDR = struct.Struct(">IBBHII")
HDR_LEN = 16
MORE = 0x0001

T_HELLO, T_WRITE, T_BATCH = 0x01, 0x10, 0x11
T_GET, T_LIST, T_REGION_LIST, T_BALANCE, T_STATUS = 0x20, 0x21, 0x22, 0x23, 0x24
T_CHECKPOINT, T_PROVE, T_CONSISTENCY = 0x30, 0x31, 0x32
T_ERROR, T_HELLO_OK, T_ENTRY, T_ENTRIES = 0x80, 0x81, 0x90, 0x91
T_STATUS_OK = 0x94
REQUEST_TYPES = [T_WRITE, T_BATCH, T_GET, T_LIST, T_REGION_LIST, T_BALANCE,
                 T_STATUS, T_CHECKPOINT, T_PROVE, T_CONSISTENCY]

ERRORS = {1: "BAD_REQUEST", 2: "FORBIDDEN", 3: "UNKNOWN_REGION",
          4: "DUPLICATE_REGION", 5: "OUT_OF_RANGE", 6: "OVER_APPROPRIATION",
          7: "NO_AWARD", 8: "OVER_AWARD", 9: "AWARD_BELOW_DISBURSED",
          10: "OVER_REFUND", 11: "DATE_OUTSIDE_FY", 12: "YEAR_CLOSED",
          13: "NOT_REVERSIBLE", 14: "ALREADY_REVERSED", 15: "ID_CONFLICT",
          16: "NOT_FOUND", 17: "STORAGE_FULL", 18: "BUSY", 19: "UNAVAILABLE",
          20: "INTERNAL"}

FAILS = 0


def ok(msg):
    print("ok - " + msg, flush=True)


def fail(msg):
    global FAILS
    FAILS += 1
    print("FAIL - " + msg, flush=True)


def check(cond, msg):
    if cond:
        ok(msg)
    else:
        fail(msg)
    return cond


def note(msg):
    print("# " + msg, flush=True)


# --- wire format ---------------------------------------------------------------

def frame(ftype, payload=b"", reqid=0, flags=0, version=1, magic=MAGIC,
          length=None):
    if length is None:
        length = len(payload)
    return HDR.pack(magic, version, ftype, flags, reqid, length) + payload


def s(text):
    b = text.encode() if isinstance(text, str) else text
    return struct.pack(">H", len(b)) + b


def hello_payload(lo=2, hi=2):
    return struct.pack(">HH", lo, hi)


def region_write(code, name, grant_type=3, category="", wid=""):
    return bytes([1]) + s(wid) + s(code) + s(name) + bytes([grant_type]) + s(category)


def list_payload(since=0, until=0, limit=0):
    return struct.pack(">QQQ", since, until, limit) + s("") + struct.pack(">HB", 0, 0)


def parse_str(p, off):
    (n,) = struct.unpack_from(">H", p, off)
    return p[off + 2:off + 2 + n].decode("utf-8", "replace"), off + 2 + n


def parse_error(p):
    (code,) = struct.unpack_from(">H", p, 0)
    msg, _ = parse_str(p, 2)
    return ERRORS.get(code, str(code)), msg


def parse_hello_ok(p):
    version, maxf = struct.unpack_from(">HI", p, 0)
    role, off = parse_str(p, 6)
    cn, off = parse_str(p, off)
    server, off = parse_str(p, off)
    return {"version": version, "max_frame": maxf, "role": role, "cn": cn,
            "server": server}


def parse_status_size(p):
    _, off = parse_str(p, 0)
    (size,) = struct.unpack_from(">Q", p, off)
    return size


def entry_seq(p):
    """ENTRY: u8 duplicate, u32 len, encoding (u8 format, u64 seq, ...)."""
    (seq,) = struct.unpack_from(">Q", p, 6)
    return seq


# --- connections ---------------------------------------------------------------

class Closed(Exception):
    """The peer ended the connection; str() says how."""


def describe(exc):
    if isinstance(exc, ssl.SSLError):
        return "TLS: " + (exc.reason or str(exc))
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        return "reset"
    if isinstance(exc, socket.timeout):
        return "timeout"
    return type(exc).__name__ + ": " + str(exc)


class Conn:
    def __init__(self, args, cn=None, tls=True, handshake=True, rcvbuf=None,
                 timeout=10.0):
        self.args = args
        self.buf = b""
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(timeout)
        raw.connect((args.host, args.port))
        self.sock = raw
        if not tls:
            return
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(args.ca or os.path.join(args.pki, "ca.crt"))
        if args.tls12:
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        else:
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        cn = cn if cn is not None else args.cn
        if args.cert:
            ctx.load_cert_chain(args.cert, args.key)
        elif cn and not args.no_cert:
            ctx.load_cert_chain(os.path.join(args.pki, cn + ".crt"),
                                os.path.join(args.pki, cn + ".key"))
        self.sock = ctx.wrap_socket(raw, server_hostname=args.host,
                                    do_handshake_on_connect=handshake)

    def settimeout(self, t):
        self.sock.settimeout(t)

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("timed out")
            self.sock.settimeout(left)
            try:
                b = self.sock.recv(65536)
            except (ssl.SSLError, OSError) as e:
                if isinstance(e, socket.timeout):
                    raise
                raise Closed(describe(e))
            if not b:
                raise Closed("EOF")
            self.buf += b

    def recv_frame(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        self._fill(HDR_LEN, deadline)
        magic, ver, ftype, flags, reqid, length = HDR.unpack_from(self.buf, 0)
        if magic != MAGIC or ver != 1:
            raise ValueError("bad frame header from the daemon")
        self._fill(HDR_LEN + length, deadline)
        payload = self.buf[HDR_LEN:HDR_LEN + length]
        self.buf = self.buf[HDR_LEN + length:]
        return ftype, flags, reqid, payload

    def answer(self, reqid, timeout=10.0):
        """Every frame of the answer to reqid: [(type, payload)]."""
        frames = []
        deadline = time.monotonic() + timeout
        while True:
            ftype, flags, rid, p = self.recv_frame(max(0.01, deadline - time.monotonic()))
            if rid != reqid:
                continue
            frames.append((ftype, p))
            if not flags & MORE:
                return frames

    def hello(self, timeout=10.0):
        self.send(frame(T_HELLO, hello_payload(), reqid=1))
        ftype, _, _, p = self.recv_frame(timeout)
        if ftype == T_ERROR:
            raise Closed("ERROR %s: %s" % parse_error(p))
        if ftype != T_HELLO_OK:
            raise Closed("answer type 0x%02x to HELLO" % ftype)
        return parse_hello_ok(p)

    def status(self, reqid=2, timeout=10.0):
        self.send(frame(T_STATUS, reqid=reqid))
        (ftype, p), = self.answer(reqid, timeout)
        if ftype != T_STATUS_OK:
            raise Closed("STATUS answered with type 0x%02x" % ftype)
        return parse_status_size(p)

    def wait_closed(self, timeout):
        """Read until the daemon closes: (how, frames seen, seconds)."""
        t0 = time.monotonic()
        frames = []
        deadline = t0 + timeout
        try:
            while True:
                frames.append(self.recv_frame(max(0.01, deadline - time.monotonic())))
        except Closed as e:
            return str(e), frames, time.monotonic() - t0
        except socket.timeout:
            return None, frames, time.monotonic() - t0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def session(args, cn=None, timeout=10.0):
    c = Conn(args, cn=cn, timeout=timeout)
    c.hello(timeout)
    return c


def served(args, cn="auditor01", timeout=30.0):
    """A fresh session gets STATUS answered: (True, size) or (False, why)."""
    try:
        c = session(args, cn, timeout)
        size = c.status(timeout=timeout)
        c.close()
        return True, size
    except (Closed, OSError, ValueError) as e:
        return False, describe(e) if not isinstance(e, Closed) else str(e)


def rss_anon_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise RuntimeError("no RssAnon for pid %d" % pid)


# --- scenarios ---------------------------------------------------------------

def cmd_hello(args):
    """One session attempt: exit 0 HELLO_OK, 3 refused (TLS or closed)."""
    try:
        c = Conn(args)
        h = c.hello()
    except (Closed, ssl.SSLError, OSError) as e:
        print("refused: " + (str(e) if isinstance(e, Closed) else describe(e)))
        return 3
    print("hello_ok role=%s cn=%s" % (h["role"] or "-", h["cn"]))
    if args.write:
        # A write as this identity: region add, answered ENTRY or ERROR.
        c.send(frame(T_WRITE, region_write(args.write, "should not exist"), reqid=9))
        try:
            (ftype, p), = c.answer(9)
        except (Closed, OSError) as e:
            print("write: closed: " + str(e))
            return 3
        if ftype == T_ERROR:
            print("write: %s: %s" % parse_error(p))
            return 1
        print("write: seq %d" % entry_seq(p))
    c.close()
    return 0


def cmd_plaintext(args):
    """Plaintext bytes on the TLS port: the daemon must drop the connection."""
    payloads = {
        "http": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "frame": frame(T_HELLO, hello_payload(), reqid=1),
        "zeros": b"\0" * 4096,
    }
    c = Conn(args, tls=False)
    try:
        c.send(payloads[args.data])
    except OSError as e:
        note("send: " + describe(e))
    got = b""
    t0 = time.monotonic()
    how = None
    while time.monotonic() - t0 < args.within:
        c.sock.settimeout(max(0.01, args.within - (time.monotonic() - t0)))
        try:
            b = c.sock.recv(4096)
        except socket.timeout:
            break
        except OSError as e:
            how = describe(e)
            break
        if not b:
            how = "EOF"
            break
        got += b
    c.close()
    if check(how is not None, "plaintext %s: the daemon closed the connection "
             "(%s after %.1f s)" % (args.data, how or "still open", time.monotonic() - t0)):
        check(b"LGD1" not in got, "plaintext %s: no frame answered in clear "
              "(%d bytes back, %s)" % (args.data, len(got), got[:8].hex()))
    return 1 if FAILS else 0


def cmd_garbage(args):
    """Random bytes inside an authenticated session: ERROR, then closed."""
    rnd = random.Random(args.seed)
    c = session(args)
    junk = bytes(rnd.getrandbits(8) for _ in range(args.bytes))
    if junk[:4] == struct.pack(">I", MAGIC):
        junk = b"\xff" + junk[1:]
    try:
        c.send(junk)
    except OSError as e:
        note("send: " + describe(e))
    how, frames, secs = c.wait_closed(args.within)
    errs = [parse_error(p) for t, _, _, p in frames if t == T_ERROR]
    check(len(errs) == 1 and errs[0][0] == "BAD_REQUEST",
          "%d random bytes after HELLO: answered ERROR BAD_REQUEST (got %s)"
          % (args.bytes, errs or [hex(t) for t, _, _, _ in frames]))
    check(how is not None, "%d random bytes: connection closed after the error "
          "(%s, %.1f s)" % (args.bytes, how or "still open", secs))
    return 1 if FAILS else 0


def cmd_badheader(args):
    """A header the daemon must refuse before reading a body."""
    c = session(args) if not args.before_hello else Conn(args)
    if args.kind == "hugelen":
        data = frame(T_STATUS, length=0xFFFFFFF0, reqid=5)
    elif args.kind == "overmax":
        data = frame(T_STATUS, length=args.max_frame - HDR_LEN + 1, reqid=5)
    elif args.kind == "magic":
        data = frame(T_STATUS, reqid=5, magic=0x4C474432)
    elif args.kind == "version":
        data = frame(T_STATUS, reqid=5, version=2)
    else:
        raise SystemExit("unknown kind")
    t0 = time.monotonic()
    c.send(data)
    how, frames, secs = c.wait_closed(args.within)
    errs = [(parse_error(p), rid) for t, _, rid, p in frames if t == T_ERROR]
    check(len(errs) == 1 and errs[0][0][0] == "BAD_REQUEST" and errs[0][1] == 0,
          "%s header%s: one ERROR BAD_REQUEST with reqid 0 (got %s)"
          % (args.kind, " before HELLO" if args.before_hello else "", errs))
    check(how is not None and secs < args.within,
          "%s header: closed without waiting for the body (%s, %.1f s)"
          % (args.kind, how or "still open", time.monotonic() - t0))
    return 1 if FAILS else 0


def cmd_fuzzframes(args):
    """Well-framed requests with random payloads: each answered, none fatal."""
    rnd = random.Random(args.seed)
    c = session(args)
    answered = closed = 0
    codes = {}
    for i in range(args.count):
        ftype = rnd.choice(REQUEST_TYPES + [0x02, 0x25, 0x33, 0x7f, 0x80, 0xff])
        n = rnd.choice([0, 1, 2, 7, 8, 16, 24, 31, 64, rnd.randrange(0, 4000)])
        payload = bytes(rnd.getrandbits(8) for _ in range(n))
        if ftype == T_LIST and n >= 24:
            payload = struct.pack(">QQQ", 0, 0, 5) + payload[24:]   # keep answers small
        reqid = 100 + i
        try:
            c.send(frame(ftype, payload, reqid=reqid))
            frames = c.answer(reqid, timeout=args.within)
        except socket.timeout:
            fail("frame %d (type 0x%02x, %d bytes): no answer within %.0f s"
                 % (i, ftype, n, args.within))
            return 1
        except (Closed, OSError) as e:
            # Closing after an ERROR is allowed; the daemon must still serve.
            closed += 1
            note("frame %d (type 0x%02x, %d bytes): closed: %s" % (i, ftype, n, e))
            c.close()
            c = session(args)
            continue
        answered += 1
        for t, p in frames:
            k = parse_error(p)[0] if t == T_ERROR else "0x%02x" % t
            codes[k] = codes.get(k, 0) + 1
    c.close()
    note("answers by kind: %s" % sorted(codes.items()))
    check(answered + closed == args.count,
          "%d random-payload frames: %d answered, %d closed the connection"
          % (args.count, answered, closed))
    return 1 if FAILS else 0


def cmd_trickle(args):
    """A frame sent a byte at a time: the daemon closes the stalled frame."""
    c = session(args)
    data = frame(T_GET, struct.pack(">Q", 1), reqid=7)
    t0 = time.monotonic()
    sent = 0
    how = None
    for b in data:
        try:
            c.send(bytes([b]))
            sent += 1
        except OSError as e:
            how = describe(e)
            break
        how, frames, _ = c.wait_closed(args.interval)
        if how is not None:
            break
    secs = time.monotonic() - t0
    if how is None:
        how, frames, _ = c.wait_closed(args.within)
        secs = time.monotonic() - t0
        fail("frame trickled a byte per %.1f s: all %d bytes accepted, not closed "
             "after %.1f s (%s)" % (args.interval, sent, secs, how or "still open"))
        return 1
    check(sent < len(data), "frame trickled a byte per %.1f s: closed after %d of "
          "%d bytes, %.1f s (%s)" % (args.interval, sent, len(data), secs, how))
    check(secs <= args.within, "stalled frame closed within %.0f s (took %.1f s)"
          % (args.within, secs))
    return 1 if FAILS else 0


def cmd_idle(args):
    """A connection that does nothing is closed after idle_timeout_s."""
    if args.stage == "tcp":
        c = Conn(args, tls=False)
        t0 = time.monotonic()
        c.sock.settimeout(args.within)
        try:
            b = c.sock.recv(1)
            how = "EOF" if not b else "data"
        except socket.timeout:
            how = None
        except OSError as e:
            how = describe(e)
        secs = time.monotonic() - t0
    else:
        c = Conn(args)
        if args.stage == "hello":
            c.hello()
        t0 = time.monotonic()
        how, _, secs = c.wait_closed(args.within)
    c.close()
    check(how is not None and secs >= args.at_least,
          "idle connection (%s) closed after %.1f s, want %.0f..%.0f s (%s)"
          % (args.stage, secs, args.at_least, args.within, how or "still open"))
    return 1 if FAILS else 0


def cmd_maxconn(args):
    """max_connections sessions: the next waits, and is served when one ends."""
    held = []
    try:
        for _ in range(args.n):
            held.append(session(args))
    except (Closed, OSError) as e:
        fail("opening %d sessions: %s" % (args.n, describe(e) if not isinstance(e, Closed) else e))
        return 1
    ok("%d sessions open (max_connections)" % args.n)
    result = {}

    def extra():
        t0 = time.monotonic()
        try:
            c = session(args, timeout=args.within)
            result["size"] = c.status(timeout=args.within)
            result["secs"] = time.monotonic() - t0
            c.close()
        except (Closed, OSError, ValueError) as e:
            result["error"] = describe(e) if not isinstance(e, Closed) else str(e)

    th = threading.Thread(target=extra, daemon=True)
    th.start()
    # Keep the held sessions busy (below the idle timeout) while the extra
    # connection waits; it must not get in.
    rid = 1000
    t_end = time.monotonic() + args.hold
    while time.monotonic() < t_end:
        for c in held:
            rid += 1
            try:
                c.status(reqid=rid)
            except (Closed, OSError) as e:
                fail("a held session failed: %s" % e)
                return 1
        time.sleep(0.2)
    check(not result, "connection %d waits while %d sessions are open (%s)"
          % (args.n + 1, args.n, result or "not served"))
    held.pop(0).close()
    th.join(args.within)
    check(result.get("size") is not None,
          "connection %d served once a session closed (%s)" % (args.n + 1, result))
    for c in held:
        c.close()
    return 1 if FAILS else 0


def cmd_flood(args):
    """Many silent TCP connections: others get in once they time out."""
    socks = []
    for _ in range(args.n):
        sk = socket.socket()
        sk.settimeout(5)
        try:
            sk.connect((args.host, args.port))
        except OSError as e:
            note("flood connect: " + describe(e))
            break
        socks.append(sk)
    ok("%d silent connections opened" % len(socks))
    t0 = time.monotonic()
    good, why = served(args, timeout=args.within)
    check(good, "a session is served despite the flood (%.1f s; %s)"
          % (time.monotonic() - t0, why))
    for sk in socks:
        sk.close()
    return 1 if FAILS else 0


def pump_unread(c, reqs, max_bytes, stall):
    """Send reqs round after round, never reading; stop when sending has
    blocked for stall seconds.  Returns bytes sent, or None past max_bytes."""
    c.sock.setblocking(False)
    sent = 0
    pending = b""
    last = time.monotonic()
    while sent < max_bytes:
        if not pending:
            pending = reqs
        try:
            n = c.sock.send(pending[:65536])
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
            n = 0
        if n > 0:
            sent += n
            pending = pending[n:]
            last = time.monotonic()
        elif time.monotonic() - last >= stall:
            return sent
        else:
            time.sleep(0.01)
    return None


def cmd_noread(args):
    """Clients that never read their answers: reading from them stops,
    memory stays bounded, others are served, and the stuck connections do
    not hold their slots for ever."""
    before = rss_anon_kib(args.pid)
    note("daemon RssAnon before: %d KiB" % before)
    kinds = {"list": frame(T_LIST, list_payload(), reqid=3),
             "status": frame(T_STATUS, reqid=4)}
    reqs = kinds[args.request] * 256
    stuck = []
    for i in range(args.clients):
        try:
            c = session(args)
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        except (Closed, OSError) as e:
            fail("non-reader %d: cannot open: %s" % (i, e))
            return 1
        n = pump_unread(c, reqs, args.max_mb << 20, args.stall)
        if not check(n is not None, "non-reader %d (%s): the daemon stopped reading "
                     "(%s)" % (i, args.request, "after %d KiB" % (n >> 10)
                               if n is not None else "%d MiB sent and still reading" % args.max_mb)):
            return 1
        stuck.append(c)
    after = rss_anon_kib(args.pid)
    note("daemon RssAnon after: %d KiB" % after)
    check(after - before < args.rss_mb * 1024,
          "daemon memory bounded: RssAnon grew %d KiB with %d non-readers (limit %d MiB)"
          % (after - before, len(stuck), args.rss_mb))
    if args.others:
        t0 = time.monotonic()
        good, why = served(args, timeout=args.within)
        check(good, "another client is served while %d non-readers are stuck "
              "(%.1f s; %s)" % (len(stuck), time.monotonic() - t0, why))
    for c in stuck:
        c.close()
    return 1 if FAILS else 0


def cmd_keeper(args):
    """One session kept open across the other tests: a STATUS every
    --every seconds until --stop-file appears; every one must be answered."""
    c = session(args)
    n = 0
    t_end = time.monotonic() + args.max_secs
    rid = 10
    while not os.path.exists(args.stop_file):
        if time.monotonic() > t_end:
            fail("keeper: no stop file after %.0f s" % args.max_secs)
            return 1
        rid += 1
        try:
            c.status(reqid=rid)
        except (Closed, OSError, ValueError) as e:
            fail("an open session stopped being served after %d requests: %s"
                 % (n, e if isinstance(e, Closed) else describe(e)))
            return 1
        n += 1
        time.sleep(args.every)
    c.close()
    check(n > 0, "an open session kept being served throughout (%d requests)" % n)
    return 1 if FAILS else 0


def cmd_regions(args):
    """Pipeline region adds (--window in flight); --out gets one line per
    attempt, in the order sent: "written CODE" or "ERRORCODE CODE".  With
    --stop-after N, stop sending after N refusals in a row."""
    c = session(args, timeout=60)
    name = "x" * args.name_bytes
    outcome = [None] * args.count
    nxt = 0
    inflight = {}
    run = 0         # consecutive refusals, for --stop-after
    while nxt < args.count or inflight:
        while (nxt < args.count and len(inflight) < args.window and
               not (args.stop_after and run >= args.stop_after)):
            code = "%s-%05d" % (args.prefix, nxt)
            rid = 10 + nxt
            c.send(frame(T_WRITE, region_write(code, name), reqid=rid))
            inflight[rid] = nxt
            nxt += 1
        if not inflight:
            break           # --stop-after reached
        ftype, _, rid, p = c.recv_frame(60)
        i = inflight.pop(rid, None)
        if i is None:
            fail("answer for unknown reqid %d" % rid)
            return 1
        if ftype == T_ENTRY:
            outcome[i] = "written"
            run = 0
        elif ftype == T_ERROR:
            outcome[i] = parse_error(p)[0]
            run += 1
        else:
            fail("region add answered with type 0x%02x" % ftype)
            return 1
    c.close()
    counts = {}
    with open(args.out, "w") as f:
        for i, o in enumerate(outcome):
            if o is None:
                break       # stopped early (--stop-after)
            f.write("%s %s-%05d\n" % (o, args.prefix, i))
            counts[o] = counts.get(o, 0) + 1
    print("attempts by outcome: %s" % sorted(counts.items()))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--pki", required=True)
    ap.add_argument("--cn", default="auditor01")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--ca")
    ap.add_argument("--no-cert", action="store_true")
    ap.add_argument("--tls12", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--within", type=float, default=15.0)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("hello")
    p.add_argument("--write", help="then add this region code")
    p = sub.add_parser("plaintext")
    p.add_argument("--data", choices=["http", "frame", "zeros"], default="http")
    p = sub.add_parser("garbage")
    p.add_argument("--bytes", type=int, default=65536)
    p = sub.add_parser("badheader")
    p.add_argument("--kind", choices=["hugelen", "overmax", "magic", "version"],
                   required=True)
    p.add_argument("--before-hello", action="store_true")
    p.add_argument("--max-frame", type=int, default=16384)
    p = sub.add_parser("fuzzframes")
    p.add_argument("--count", type=int, default=300)
    p = sub.add_parser("trickle")
    p.add_argument("--interval", type=float, default=0.5)
    p = sub.add_parser("idle")
    p.add_argument("--stage", choices=["tcp", "tls", "hello"], required=True)
    p.add_argument("--at-least", type=float, default=0.0)
    p = sub.add_parser("maxconn")
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--hold", type=float, default=1.5)
    p = sub.add_parser("flood")
    p.add_argument("--n", type=int, required=True)
    p = sub.add_parser("noread")
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--request", choices=["list", "status"], default="list")
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--max-mb", type=int, default=256)
    p.add_argument("--stall", type=float, default=2.0)
    p.add_argument("--rss-mb", type=int, default=64)
    p.add_argument("--others", action="store_true")
    p = sub.add_parser("keeper")
    p.add_argument("--stop-file", required=True)
    p.add_argument("--every", type=float, default=0.5)
    p.add_argument("--max-secs", type=float, default=50)
    p = sub.add_parser("regions")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--prefix", default="fill")
    p.add_argument("--name-bytes", type=int, default=500)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--stop-after", type=int, default=0)
    p.add_argument("--out", required=True)
    args = ap.parse_args()
    fn = globals()["cmd_" + args.cmd]
    try:
        return fn(args)
    except (Closed, OSError, ValueError) as e:
        fail("%s: %s" % (args.cmd, e if isinstance(e, (Closed, ValueError)) else describe(e)))
        return 1


if __name__ == "__main__":
    sys.exit(main())
