#!/usr/bin/env python3
"""dropproxy.py - a TCP proxy that loses one answer, for the retry test.

usage: dropproxy.py LISTEN_PORT TARGET_PORT COUNT_FILE [DROP_AFTER]

Forwards every connection to 127.0.0.1:TARGET_PORT and counts the TLS
records each client sends (the 5-byte record headers are plaintext even
under TLS 1.3).  When a connection closes, the number of records its
client sent is appended to COUNT_FILE, one per line: a first run with a
read command tells how many records a whole request takes.

With DROP_AFTER, the first connection is cut once its client has sent
DROP_AFTER records: that last record (the request) still reaches the
daemon, which answers it, but the answer never reaches the client, whose
connection is closed a second later.  Every later connection is
forwarded whole.  This is what a network failure after a write looks like
from the client, without touching the client or the daemon.
"""
import socket
import sys
import threading
import time

listen_port, target_port, count_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
drop_after = int(sys.argv[4]) if len(sys.argv) > 4 else 0
lock = threading.Lock()
first = [True]


def records(buf, state):
    """Count whole TLS records in the client's stream; state = [pending, count]."""
    state[0] += buf
    while len(state[0]) >= 5:
        n = 5 + int.from_bytes(state[0][3:5], "big")
        if len(state[0]) < n:
            break
        state[0] = state[0][n:]
        state[1] += 1


def serve(c):
    s = socket.create_connection(("127.0.0.1", target_port))
    with lock:
        drop = drop_after > 0 and first[0]
        first[0] = False
    state = [b"", 0]
    cut = threading.Event()

    def down():  # server -> client, until cut
        try:
            while True:
                d = s.recv(65536)
                if not d or cut.is_set():
                    break
                c.sendall(d)
        except OSError:
            pass

    t = threading.Thread(target=down, daemon=True)
    t.start()
    try:
        while True:
            d = c.recv(65536)
            if not d:
                break
            s.sendall(d)
            records(d, state)
            if drop and state[1] >= drop_after:
                cut.set()
                time.sleep(1.0)  # the daemon commits and answers into the void
                break
    except OSError:
        pass
    for x in (c, s):
        try:
            x.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        x.close()
    with lock, open(count_file, "a") as f:
        f.write("%d\n" % state[1])


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", listen_port))
ls.listen(16)
while True:
    conn, _ = ls.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
