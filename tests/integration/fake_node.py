#!/usr/bin/env python3
"""fake_node.py - a cluster follower as ledgerctl sees it, for cluster_client.sh.

The real ledgerd runs alone until replication is wired in, so this stands in
for a follower of a three-node cluster (proto/PROTOCOL.md "Cluster"): it
speaks TLS 1.3 with the test PKI's server certificate, requires a client
certificate from its CA, and answers

  HELLO           HELLO_OK, protocol 4 at most
  WRITE, BATCH,   ERROR NOT_LEADER naming LEADER, as protocol 4 carries it
  COSIGN, CLUSTER   (figure "leader"; "" when LEADER is "-"), except CLUSTER
                  status
  CLUSTER status  CLUSTER_OK: node 2, a follower in term 7, members 1-3
                  (1 the leader at LEADER)
  STATUS          STATUS_OK with the scrub, storage and cluster sections
  anything else   ERROR BAD_REQUEST

usage: fake_node.py PKI LEADER LOG
Listens on a free loopback port and prints it on stdout; appends one line
per request to LOG ("WRITE id=ID", "CLUSTER op=N", "STATUS"), so the test
can tell what reached it.  Runs until killed.
"""
import os
import socket
import ssl
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldconn import HDR, MAGIC, MSG_HELLO, MSG_HELLO_OK, MSG_STATUS, MSG_STATUS_OK, MSG_ERROR, recv_exact  # noqa: E402

MSG_WRITE, MSG_BATCH, MSG_COSIGN, MSG_CLUSTER = 0x10, 0x11, 0x33, 0x29
MSG_CLUSTER_OK = 0x97
NOT_LEADER, BAD_REQUEST = 31, 1


def s16(b):
    return struct.pack(">H", len(b)) + b


def view(leader):
    """The cluster view: node 2, a follower, sees itself and the leader."""
    members = [(1, b"127.0.0.1:17501", leader or b"127.0.0.1:17443", 1, 1),
               (2, b"127.0.0.1:17502", b"127.0.0.1:17444", 1, 2),
               (3, b"127.0.0.1:17503", b"127.0.0.1:17445", 0, 0)]
    out = struct.pack(">QBQ", 2, 2, 7) + s16(leader) + struct.pack(">QQH", 12, 11, len(members))
    for mid, raft, client, voter, role in members:
        out += struct.pack(">Q", mid) + s16(raft) + s16(client) + struct.pack(">BB", voter, role)
    return out


def frame(mtype, reqid, payload):
    return HDR.pack(MAGIC, 1, mtype, 0, reqid, len(payload)) + payload


def serve(conn, leader, log, lock):
    version = 0
    try:
        while True:
            _magic, _v, mtype, _flags, reqid, length = HDR.unpack(recv_exact(conn, HDR.size))
            body = recv_exact(conn, length)
            if mtype == MSG_HELLO:
                _lo, hi = struct.unpack(">HH", body)
                version = min(hi, 4)
                cn = dict(x[0] for x in conn.getpeercert()["subject"])["commonName"]
                role = cn.rstrip("0123456789").encode()  # admin01: admin
                ans = (struct.pack(">HI", version, 1048576) + s16(role) + s16(cn.encode())
                       + s16(b"fake-node"))
                conn.sendall(frame(MSG_HELLO_OK, reqid, ans))
                continue
            what = {MSG_WRITE: "WRITE", MSG_BATCH: "BATCH", MSG_COSIGN: "COSIGN",
                    MSG_CLUSTER: "CLUSTER", MSG_STATUS: "STATUS"}.get(mtype, "0x%02x" % mtype)
            if mtype == MSG_WRITE:
                (n,) = struct.unpack_from(">H", body, 1)
                what += " id=" + body[3:3 + n].decode()
            if mtype == MSG_CLUSTER:
                what += " op=%d" % body[0]
            with lock:
                with open(log, "a") as f:
                    f.write(what + "\n")
            if mtype == MSG_CLUSTER and body[0] == 1:
                conn.sendall(frame(MSG_CLUSTER_OK, reqid, view(leader)))
            elif mtype in (MSG_WRITE, MSG_BATCH, MSG_COSIGN, MSG_CLUSTER):
                msg = (b"this node is not the leader; the leader is " + leader if leader
                       else b"this node is not the leader and no leader is known")
                ans = struct.pack(">H", NOT_LEADER) + s16(msg)
                if version >= 4:
                    ans += b"\x01" + s16(b"leader") + b"\x03" + s16(leader)
                conn.sendall(frame(MSG_ERROR, reqid, ans))
            elif mtype == MSG_STATUS:
                ans = (s16(b"ledgerd fake") + struct.pack(">QQIQQq", 0, 5, 1, 0, 1 << 20, 0)
                       + bytes(32) + struct.pack(">BBqQQQQ", 0, 0, 0, 0, 0, 0, 0)
                       + struct.pack(">QQQQ", 1 << 30, 1 << 31, 0, 0))
                if version >= 4:
                    ans += view(leader)
                conn.sendall(frame(MSG_STATUS_OK, reqid, ans))
            else:
                conn.sendall(frame(MSG_ERROR, reqid, struct.pack(">H", BAD_REQUEST)
                                   + s16(b"not served by fake_node.py")))
    except (OSError, ConnectionError, ssl.SSLError, struct.error):
        pass
    finally:
        conn.close()


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    pki, leader, log = sys.argv[1:]
    leader = b"" if leader == "-" else leader.encode()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(pki + "/server.crt", pki + "/server.key")
    ctx.load_verify_locations(pki + "/ca.crt")
    ctx.verify_mode = ssl.CERT_REQUIRED
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    sys.stdout.write("%d\n" % lsock.getsockname()[1])
    sys.stdout.flush()
    lock = threading.Lock()
    while True:
        raw, _ = lsock.accept()
        try:
            conn = ctx.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            continue
        threading.Thread(target=serve, args=(conn, leader, log, lock), daemon=True).start()


if __name__ == "__main__":
    main()
