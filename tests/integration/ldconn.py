#!/usr/bin/env python3
"""ldconn.py - one long-lived ledgerd connection, driven line by line.

The operations tests need what ledgerctl (one request per run) cannot give:
a connection that stays open across a SIGHUP, and the server certificate a
handshake actually saw.  This speaks just enough of proto/PROTOCOL.md
(frames, HELLO, STATUS) over TLS 1.3 with a client certificate.

usage: ldconn.py HOST PORT CA CERT KEY

Prints "connected cn=CN role=ROLE peer=SHA256" once the HELLO is answered
(or "error: ..." and exits 1), then reads commands from stdin, one a line,
and answers each with one line on stdout:
  status  ->  "status size=N connections=C root=HEX"   (a STATUS here)
  consistency OLD  ->  "consistency old=A new=B first=HEX root=HEX
              note_size=N verified=true|false": the daemon's proof that the
              tree of size OLD is a prefix of the current one, checked here
              (RFC 9162 2.1.4.2), and that the note's size is the new one
  checkpoint -> "checkpoint SIZE"   (the signed checkpoint's tree size)
  peer    ->  "peer SHA256"   (the server certificate of this connection)
  quit    ->  closes and exits 0
"""
import hashlib
import socket
import ssl
import struct
import sys

MAGIC = 0x4C474431
HDR = struct.Struct(">IBBHII")
MSG_HELLO, MSG_STATUS, MSG_CHECKPOINT, MSG_CONSISTENCY = 0x01, 0x24, 0x30, 0x32
MSG_ERROR, MSG_HELLO_OK, MSG_STATUS_OK = 0x80, 0x81, 0x94


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by the daemon")
        buf += chunk
    return buf


def request(s, reqid, mtype, payload=b""):
    s.sendall(HDR.pack(MAGIC, 1, mtype, 0, reqid, len(payload)) + payload)
    magic, version, rtype, _flags, rid, length = HDR.unpack(recv_exact(s, HDR.size))
    if magic != MAGIC or version != 1 or rid != reqid:
        raise ValueError("bad answer frame")
    body = recv_exact(s, length)
    if rtype == MSG_ERROR:
        code, mlen = struct.unpack_from(">HH", body)
        raise ValueError("ERROR %d: %s" % (code, body[4:4 + mlen].decode()))
    return rtype, body


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_consistency(first, second, first_hash, second_hash, proof):
    """RFC 9162 section 2.1.4.2."""
    if first > second:
        return False
    if first == second:
        return not proof and first_hash == second_hash
    if first == 0:
        return not proof
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_hash] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not (fn & 1 or fn == 0):
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


def get_str(body, off):
    (n,) = struct.unpack_from(">H", body, off)
    return body[off + 2:off + 2 + n].decode(), off + 2 + n


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    host, port, ca, cert, key = sys.argv[1:]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    try:
        raw = socket.create_connection((host, int(port)), timeout=60)
        s = ctx.wrap_socket(raw, server_hostname=host)
        peer = hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()
        rtype, body = request(s, 1, MSG_HELLO, struct.pack(">HH", 2, 2))
        if rtype != MSG_HELLO_OK:
            raise ValueError("HELLO answered with type 0x%02x" % rtype)
        role, off = get_str(body, 6)
        cn, off = get_str(body, off)
    except (OSError, ValueError, ConnectionError) as e:
        say("error: %s" % e)
        sys.exit(1)
    say("connected cn=%s role=%s peer=%s" % (cn, role, peer))
    reqid = 1
    for line in sys.stdin:
        cmd = line.strip()
        reqid += 1
        try:
            if cmd == "status":
                rtype, body = request(s, reqid, MSG_STATUS)
                _server, off = get_str(body, 0)
                size, _uptime, conns = struct.unpack_from(">QQI", body, off)
                root = body[off + 44:off + 76]
                say("status size=%d connections=%d root=%s" % (size, conns, root.hex()))
            elif cmd.startswith("consistency "):
                old = int(cmd.split()[1])
                rtype, body = request(s, reqid, MSG_CONSISTENCY, struct.pack(">QQ", old, 0))
                kind, a, b = struct.unpack_from(">BQQ", body)
                first, root = body[17:49], body[49:81]
                off = 81
                path = [body[off + 1 + 32 * i:off + 33 + 32 * i] for i in range(body[off])]
                off += 1 + 32 * body[off]
                nlink = body[off]
                off += 1 + 32 * nlink
                (nlen,) = struct.unpack_from(">I", body, off)
                note = body[off + 4:off + 4 + nlen].decode().split("\n")
                ok = (kind == 2 and a == old and nlink == 0 and int(note[1]) == b
                      and verify_consistency(a, b, first, root, path))
                say("consistency old=%d new=%d first=%s root=%s note_size=%s verified=%s"
                    % (a, b, first.hex(), root.hex(), note[1], "true" if ok else "false"))
            elif cmd == "checkpoint":
                rtype, body = request(s, reqid, MSG_CHECKPOINT)
                (n,) = struct.unpack_from(">I", body)
                note = body[4:4 + n].decode().split("\n")
                say("checkpoint %s" % note[1])
            elif cmd == "peer":
                say("peer %s" % peer)
            elif cmd == "quit":
                break
            else:
                say("error: unknown command %r" % cmd)
        except (OSError, ValueError, ConnectionError) as e:
            say("error: %s" % e)
            sys.exit(1)
    s.close()


if __name__ == "__main__":
    main()
