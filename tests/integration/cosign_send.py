#!/usr/bin/env python3
"""cosign_send.py - send one raw COSIGN request (proto/PROTOCOL.md) to ledgerd.

ledgerctl only ever sends a cosignature it just made over the checkpoint it
just verified.  cosign.sh needs the others: an old one again (stale), one
altered byte, one over a checkpoint this daemon never signed.  This sends
the witness key string and a note file exactly as given.

usage: cosign_send.py PORT PKI CN WITNESS_KEY NOTE_FILE
Prints "ok SIZE TIME" for COSIGN_OK or "error CODE message" for an ERROR
(codes by number, from proto/errors.h), and exits 0 either way; 2 when the
exchange itself fails.
"""
import os
import socket
import ssl
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldconn import HDR, MAGIC, MSG_ERROR, MSG_HELLO, MSG_HELLO_OK, recv_exact  # noqa: E402

MSG_COSIGN, MSG_COSIGN_OK = 0x33, 0xa2
CODES = {1: "BAD_REQUEST", 2: "FORBIDDEN", 20: "INTERNAL",
         29: "BAD_COSIGNATURE", 30: "STALE_COSIGNATURE"}


def request(s, reqid, mtype, payload):
    """One request and its answer frame, an ERROR included (ldconn's raises)."""
    s.sendall(HDR.pack(MAGIC, 1, mtype, 0, reqid, len(payload)) + payload)
    _magic, _version, rtype, _flags, rid, length = HDR.unpack(recv_exact(s, HDR.size))
    if rid != reqid:
        raise ValueError("answer to another request")
    return rtype, recv_exact(s, length)


def main():
    port, pki, cn, witness, note_file = sys.argv[1:6]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_verify_locations(pki + "/ca.crt")
    ctx.load_cert_chain(pki + "/" + cn + ".crt", pki + "/" + cn + ".key")
    note = open(note_file, "rb").read()
    w = witness.encode()
    with socket.create_connection(("127.0.0.1", int(port)), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            rtype, _ = request(s, 1, MSG_HELLO, struct.pack(">HH", 3, 3))
            if rtype != MSG_HELLO_OK:
                print("hello refused")
                return 2
            payload = struct.pack(">H", len(w)) + w + struct.pack(">I", len(note)) + note
            rtype, body = request(s, 2, MSG_COSIGN, payload)
    if rtype == MSG_COSIGN_OK:
        size, ts = struct.unpack(">QQ", body)
        print("ok %d %d" % (size, ts))
    elif rtype == MSG_ERROR:
        code, mlen = struct.unpack_from(">HH", body)
        print("error %s %s" % (CODES.get(code, str(code)), body[4:4 + mlen].decode()))
    else:
        print("unexpected answer type 0x%02x" % rtype)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
