#!/usr/bin/env python3
# crash.py - the client side of tests/integration/crash.sh.
#
# crash.sh kills ledgerd with SIGKILL while the writers of this file are
# sending, restarts it, and asks the checker whether the ledger kept its
# promises.  What a writer knows lives in files outside the daemon, written
# the way a careful client would: a request is logged before it is sent
# (attempted.jsonl) and its id and seq are logged only after ledgerctl exited
# 0 and printed the entry (acked.jsonl).  A request whose outcome is unknown
# (the daemon died under it) is retried with the same id, as the contract's
# idempotency lets a real client do, until it is answered or the round ends;
# the checker resolves the rest after the restart.
#
#   crash.py write STATE ROUND SEED   write until STATE/stop exists
#   crash.py check STATE              verify the restarted daemon
#
# Environment: LEDGERCTL, LD_SERVER (host:port), LD_PKI (certificates),
# LD_VERIFIER (the checkpoint verifier key, ledgerd --print-verifier).
# The writers never ask for something the rules could refuse (amounts are
# small against the awards, refunds and reversals stay within what is known
# to be paid), so every refusal is reported as a failure.

import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time

CTL = os.environ.get("LEDGERCTL", "ledgerctl")
SERVER = os.environ.get("LD_SERVER", "127.0.0.1:7443")
PKI = os.environ.get("LD_PKI", "pki")
VERIFIER = os.environ.get("LD_VERIFIER", "verifier")
STATEDIR = "."
FY = "2013"

# One clerk per region, so that each writer alone knows how much of its
# region was paid; the admin re-decides aichi's award while clerk03 pays it.
CLERK_REGIONS = [
	("clerk03", "aichi-nanotech"),
	("clerk04", "iwate-next-mobility"),
	("clerk05", "hakodate"),
	("clerk06", "kyoto-env"),
]
ADMIN = "admin01"
AWARDED_REGION = "aichi-nanotech"
# Whatever is in flight when the daemon dies may fail transiently.
TRANSIENT = ("BUSY", "UNAVAILABLE")


def ctl(cn, args):
	"""Run ledgerctl as cn with --json; (exit status, stdout, stderr)."""
	env = dict(os.environ)
	env.update(LEDGER_SERVER=SERVER, LEDGER_CA=os.path.join(PKI, "ca.crt"),
		LEDGER_CERT=os.path.join(PKI, cn + ".crt"),
		LEDGER_KEY=os.path.join(PKI, cn + ".key"))
	try:
		p = subprocess.run([CTL] + args + ["--json"], env=env,
			stdin=subprocess.DEVNULL, capture_output=True, text=True,
			timeout=120)
	except subprocess.TimeoutExpired:
		return 124, "", "ledgerctl timed out"
	return p.returncode, p.stdout, p.stderr


def read_jsonl(path):
	try:
		with open(path, encoding="utf-8") as f:
			return [json.loads(l) for l in f if l.strip()]
	except FileNotFoundError:
		return []


class Log:
	"""An append-only JSON-lines file shared by threads: one write() per
	record on an O_APPEND descriptor, so that a record is whole or absent
	(only the daemon is killed; the page cache keeps what was written)."""

	def __init__(self, path):
		self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
		self.lock = threading.Lock()

	def add(self, rec):
		line = (json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n").encode()
		with self.lock:
			os.write(self.fd, line)


class State:
	"""What the writers know, rebuilt from the files at each round's start.
	After a check every attempted request has been answered, so acked.jsonl
	is the whole history of the writers."""

	def __init__(self, d):
		self.dir = d
		self.acked = read_jsonl(os.path.join(d, "acked.jsonl"))
		self.attempted = read_jsonl(os.path.join(d, "attempted.jsonl"))
		self.lock = threading.Lock()
		# Paid per region that no reversal was even attempted against,
		# minus every refund attempted: never more than the true net.
		self.net = {}
		self.targets = set()	# seqs a reversal was attempted against
		self.reversible = {}	# cn -> its own acked entries, to reverse
		for a in self.attempted:
			if a["kind"] == "reversal":
				self.targets.add(a["reverses"])
		for a in self.attempted:
			if a["kind"] == "refund":
				self.net[a["region"]] = self.net.get(a["region"], 0) - a["amount"]
		for a in self.acked:
			if a["kind"] in ("disbursement", "refund", "appropriation"):
				if a["seq"] not in self.targets:
					self.reversible.setdefault(a["cn"], []).append(a)
			if a["kind"] == "disbursement" and a["seq"] not in self.targets:
				self.net[a["region"]] = self.net.get(a["region"], 0) + a["amount"]


def request_args(req):
	k = req["kind"]
	if k == "disbursement" or k == "refund":
		return ["disburse" if k == "disbursement" else "refund",
			"--region", req["region"], "--fy", FY, "--amount", str(req["amount"]),
			"--ref", req["ref"], "--date", req["date"], "--memo", req["memo"],
			"--id", req["id"]]
	if k == "award":
		return ["award", "--region", req["region"], "--fy", FY,
			"--date", FY + "-04-01", "--amount", str(req["amount"]),
			"--ref", req["ref"], "--id", req["id"]]
	if k == "appropriation":
		return ["appropriate", "--account", "general", "--fy", FY,
			"--amount", str(req["amount"]), "--ref", req["ref"], "--id", req["id"]]
	if k == "reversal":
		return ["reverse", str(req["reverses"]), "--reason", req["reason"],
			"--id", req["id"]]
	raise ValueError(k)


def send(req):
	"""One attempt: ("ok", entry), ("refused", why), or ("unknown" or
	"signal", why) when the outcome is unknown."""
	rc, out, err = ctl(req["cn"], request_args(req))
	if rc == 0:
		try:
			return "ok", json.loads(out.splitlines()[0])
		except (ValueError, IndexError):
			return "refused", "exit 0 without an entry: %r" % out[:200]
	if rc < 0:
		# The contract's exit for a lost connection is 3; a signal (SIGPIPE
		# from a write to the killed daemon) is a client bug, reported as
		# such, but the outcome is just as unknown.
		return "signal", "ledgerctl killed by signal %d (a lost connection must exit 3)" % -rc
	if rc == 3 or (rc == 1 and any(("ledgerctl: %s:" % c) in err for c in TRANSIENT)):
		return "unknown", "exit %d: %s" % (rc, err.strip()[:200])
	return "refused", "exit %d: %s" % (rc, err.strip()[:300])


def entry_matches(req, e):
	"""The stored entry is the one requested (what the client would see)."""
	want = {"kind": req["kind"], "id": req["id"]}
	if req["kind"] == "reversal":
		want["reverses"] = req["reverses"]
	else:
		want["amount"] = req["amount"]
		want["ref"] = req["ref"]
		if "region" in req:
			want["region"] = req["region"]
	return all(e.get(k) == v for k, v in want.items())


def ack_record(req, e):
	rec = dict(req)
	rec["seq"] = e["seq"]
	return rec


class Writer:
	def __init__(self, state, rnd, seed):
		self.st = state
		self.round = rnd
		self.seed = seed
		self.attempted = Log(os.path.join(state.dir, "attempted.jsonl"))
		self.acked = Log(os.path.join(state.dir, "acked.jsonl"))
		self.problems = Log(os.path.join(state.dir, "problems.jsonl"))
		self.stopfile = os.path.join(state.dir, "stop")

	def stopped(self):
		return os.path.exists(self.stopfile)

	def submit(self, req):
		"""Log, send, retry the same id while the outcome is unknown."""
		self.attempted.add(req)
		while True:
			what, res = send(req)
			if what == "ok":
				if res.get("duplicate") is not False and not req.get("retried"):
					self.problems.add({"id": req["id"], "why": "fresh id answered duplicate=%r" % res.get("duplicate")})
				if not entry_matches(req, res):
					self.problems.add({"id": req["id"], "why": "answer is another entry: %r" % res})
				self.acked.add(ack_record(req, res))
				return res
			if what == "refused":
				self.problems.add({"id": req["id"], "why": "refused: " + res})
				return None
			if what == "signal":
				self.problems.add({"id": req["id"], "why": res})
			# Unknown: the daemon is down or restarting.  Same id again,
			# unless the round is over (then the checker retries it).
			req["retried"] = True
			if self.stopped():
				return None
			time.sleep(0.02)

	def clerk(self, idx, cn, region):
		rng = random.Random("%s-%s-%d" % (self.seed, self.round, idx))
		n = 0
		while not self.stopped():
			n += 1
			rid = "c%d-%s-%d" % (self.round, cn, n)
			r = rng.random()
			req = None
			with self.st.lock:
				net = self.st.net.get(region, 0)
				mine = [a for a in self.st.reversible.get(cn, [])
					if a["seq"] not in self.st.targets and
					(a["kind"] == "refund" or a["amount"] <= net)]
				if r < 0.15 and mine:
					t = rng.choice(mine)
					self.st.targets.add(t["seq"])
					if t["kind"] == "disbursement":
						self.st.net[region] = net - t["amount"]
					req = {"kind": "reversal", "reverses": t["seq"],
						"reason": "訂正 %s" % rid, "target_kind": t["kind"],
						"region": region}
				elif r < 0.30 and net >= 1000:
					amt = rng.randint(1, min(net, 20000))
					self.st.net[region] = net - amt
					req = {"kind": "refund", "region": region, "amount": amt,
						"date": "2014-04-%02d" % rng.randint(1, 30)}
			if req is None:
				req = {"kind": "disbursement", "region": region,
					"amount": rng.randint(1000, 30000),
					"date": "2013-%02d-%02d" % (rng.randint(4, 12), rng.randint(1, 28))}
			req.update(cn=cn, id=rid)
			if req["kind"] != "reversal":
				req["ref"] = "REF-" + rid
				req["memo"] = "概算払 round %d" % self.round
			e = self.submit(req)
			if e is None:
				continue
			with self.st.lock:
				if req["kind"] in ("disbursement", "refund"):
					self.st.reversible.setdefault(cn, []).append(ack_record(req, e))
				if req["kind"] == "disbursement":
					self.st.net[region] = self.st.net.get(region, 0) + req["amount"]

	def admin(self):
		"""Re-decides aichi's award (変更交付決定) and adds, and reverses,
		small appropriations: writes that touch the account's totals."""
		rng = random.Random("%s-%s-admin" % (self.seed, self.round))
		n = 0
		while not self.stopped():
			n += 1
			rid = "c%d-%s-%d" % (self.round, ADMIN, n)
			r = rng.random()
			req = None
			with self.st.lock:
				mine = [a for a in self.st.reversible.get(ADMIN, [])
					if a["seq"] not in self.st.targets]
				if r < 0.2 and mine:
					t = rng.choice(mine)
					self.st.targets.add(t["seq"])
					req = {"kind": "reversal", "reverses": t["seq"],
						"reason": "誤記 %s" % rid, "target_kind": t["kind"]}
			if req is None and r < 0.6:
				req = {"kind": "award", "region": AWARDED_REGION,
					"amount": rng.randint(150000, 200000) * 1000, "ref": "AW-" + rid}
			elif req is None:
				req = {"kind": "appropriation", "account": "general",
					"amount": rng.randint(1, 1000) * 1000, "ref": "AP-" + rid}
			req.update(cn=ADMIN, id=rid)
			e = self.submit(req)
			if e is not None and req["kind"] == "appropriation":
				with self.st.lock:
					self.st.reversible.setdefault(ADMIN, []).append(ack_record(req, e))

	def run(self):
		threads = [threading.Thread(target=self.clerk, args=(i, cn, reg))
			for i, (cn, reg) in enumerate(CLERK_REGIONS)]
		threads.append(threading.Thread(target=self.admin))
		for t in threads:
			t.start()
		for t in threads:
			t.join()


# ---------------------------------------------------------------- checking

def merkle_root(hashes):
	"""RFC 6962 section 2.1 over leaf hashes (bytes)."""
	if not hashes:
		return hashlib.sha256(b"").digest()
	if len(hashes) == 1:
		return hashes[0]
	k = 1
	while k * 2 < len(hashes):
		k *= 2
	return hashlib.sha256(b"\x01" + merkle_root(hashes[:k]) + merkle_root(hashes[k:])).digest()


def recompute_balances(entries):
	"""Balances as the contract defines them, from the entries alone:
	every figure excludes reversed entries; an award replaces the earlier."""
	reversed_seqs = {e["reverses"] for e in entries if e["kind"] == "reversal"}
	regions = {e["code"] if "code" in e else e["region"]: e
		for e in entries if e["kind"] == "region"}
	accts, regs = {}, {}

	def acct(a, fy):
		return accts.setdefault((a, fy), {"account": a, "fy": fy,
			"appropriated": 0, "awarded": 0, "disbursed": 0, "refunded": 0})

	def reg(code, fy):
		return regs.setdefault((code, fy), {"region": code, "fy": fy,
			"award": 0, "disbursed": 0, "refunded": 0})

	for e in entries:
		if e["seq"] in reversed_seqs:
			continue
		k = e["kind"]
		if k == "appropriation":
			acct(e["account"], e["fy"])["appropriated"] += e["amount"]
		elif k == "award":
			reg(e["region"], e["fy"])["award"] = e["amount"]
			reg(e["region"], e["fy"])["account"] = e["account"]
		elif k in ("disbursement", "refund"):
			f = "disbursed" if k == "disbursement" else "refunded"
			reg(e["region"], e["fy"])[f] += e["amount"]
			acct(e["account"], e["fy"])[f] += e["amount"]
	for (code, fy), r in regs.items():
		a = r.get("account") or regions.get(code, {}).get("account")
		acct(a, fy)["awarded"] += r["award"]
		r["net"] = r["disbursed"] - r["refunded"]
		r["remaining"] = r["award"] - r["net"]
	for a in accts.values():
		a["net"] = a["disbursed"] - a["refunded"]
		a["unawarded"] = a["appropriated"] - a["awarded"]
	return accts, regs


def list_entries(problems):
	rc, out, err = ctl("auditor01", ["list"])
	if rc != 0:
		problems.append("list: exit %d: %s" % (rc, err.strip()[:200]))
		return None
	return [json.loads(l) for l in out.splitlines() if l.strip()]


def check_ledger(entries, problems):
	"""Gapless seqs, the balances and the tree root the daemon reports."""
	seqs = [e["seq"] for e in entries]
	if seqs != list(range(1, len(entries) + 1)):
		bad = next(i for i, s in enumerate(seqs, 1) if s != i)
		problems.append("seqs not 1..%d: position %d holds seq %r" % (len(entries), bad, seqs[bad - 1]))
	accts, regs = recompute_balances(entries)
	rc, out, err = ctl("auditor01", ["balance", "--fy", FY])
	if rc != 0:
		problems.append("balance: exit %d: %s" % (rc, err.strip()[:200]))
	else:
		got_a, got_r = {}, {}
		for l in out.splitlines():
			if not l.strip():
				continue
			o = json.loads(l)
			if "region" in o:
				got_r[o["region"]] = o
			else:
				got_a[o["account"]] = o
		for (a, fy), want in accts.items():
			g = got_a.get(a)
			for f in ("appropriated", "awarded", "disbursed", "refunded", "net", "unawarded"):
				if g is None or g.get(f) != want[f]:
					problems.append("balance %s %s: daemon %r, recomputed %r" %
						(a, f, None if g is None else g.get(f), want[f]))
		for (code, fy), want in regs.items():
			g = got_r.get(code)
			for f in ("award", "disbursed", "refunded", "net", "remaining"):
				if g is None or g.get(f) != want[f]:
					problems.append("balance %s %s: daemon %r, recomputed %r" %
						(code, f, None if g is None else g.get(f), want[f]))
		extra = set(got_r) - {c for c, _ in regs}
		if extra:
			problems.append("balance lists regions with no award: %s" % sorted(extra))
	rc, out, err = ctl("auditor01", ["status"])
	if rc != 0:
		problems.append("status: exit %d: %s" % (rc, err.strip()[:200]))
		return
	st = json.loads(out.splitlines()[0])
	root = merkle_root([bytes.fromhex(e["leaf_hash"]) for e in entries]).hex()
	if st.get("size") != len(entries) or st.get("root") != root:
		problems.append("tree: status says size %r root %s, the %d listed leaf hashes give %s" %
			(st.get("size"), st.get("root"), len(entries), root))
	# Each leaf hash from its leaf data, as an outside auditor would.
	rc, out, err = ctl("auditor01", ["export", "--format", "jsonl"])
	if rc != 0:
		problems.append("export: exit %d: %s" % (rc, err.strip()[:200]))
	else:
		exported = [json.loads(l) for l in out.splitlines() if l.strip()]
		if [(x["seq"], x["leaf_hash"]) for x in exported] != [(e["seq"], e["leaf_hash"]) for e in entries]:
			problems.append("export and list disagree on seqs or leaf hashes")
		for x in exported:
			h = hashlib.sha256(b"\x00" + bytes.fromhex(x["leaf_data"])).hexdigest()
			if h != x["leaf_hash"]:
				problems.append("seq %d: leaf_hash %s, SHA-256 of its leaf data %s" % (x["seq"], x["leaf_hash"], h))
				break
	# The signed checkpoint, consistent with the one saved before the
	# crash (nothing acknowledged was rewritten), root recomputed in full.
	rc, out, err = ctl("auditor01", ["verify", "--verifier", VERIFIER,
		"--state", os.path.join(STATEDIR, "checkpoint.state"), "--full"])
	if rc != 0:
		problems.append("ledgerctl verify --full against the pre-crash checkpoint: exit %d: %s %s" %
			(rc, err.strip()[:200], out.strip()[:300]))


def check(statedir):
	problems = []
	st = State(statedir)
	# This round's writer problems are reported once, then kept with the
	# earlier rounds' (whose refused ids are never retried).
	cur = os.path.join(statedir, "problems.jsonl")
	old = os.path.join(statedir, "problems.old.jsonl")
	now = read_jsonl(cur)
	for p in now:
		problems.append("writer %s: %s" % (p["id"], p["why"]))
	if now:
		with open(old, "a", encoding="utf-8") as f, open(cur, encoding="utf-8") as g:
			f.write(g.read())
		os.unlink(cur)
	entries = list_entries(problems)
	if entries is None:
		return problems, ""
	by_id = {e["id"]: e for e in entries if "id" in e}
	acked_ids = set()
	for a in st.acked:
		acked_ids.add(a["id"])
		e = by_id.get(a["id"])
		if e is None:
			problems.append("acknowledged %s (seq %d) is missing" % (a["id"], a["seq"]))
		elif e["seq"] != a["seq"]:
			problems.append("acknowledged %s had seq %d, now %d" % (a["id"], a["seq"], e["seq"]))
		elif not entry_matches(a, e):
			problems.append("acknowledged %s seq %d changed: %r" % (a["id"], a["seq"], e))
	attempted = {a["id"]: a for a in st.attempted}
	for e in entries:
		# The writers' ids are c<round>-...; "ctl-" ones are ledgerctl's own
		# (the setup's writes without --id).
		wid = e.get("id", "")
		if wid.startswith("c") and not wid.startswith("ctl-") and wid not in attempted:
			problems.append("seq %d has id %s that no writer sent" % (e["seq"], wid))
		elif e.get("id") in attempted and not entry_matches(attempted[e["id"]], e):
			problems.append("seq %d is not what %s asked for: %r" % (e["seq"], e["id"], e))
	# Requests cut off by the kill: the same id again must be answered,
	# as a duplicate with the stored seq when it had been committed.
	# A refusal is reported above, and must have written nothing.
	refused = {p["id"] for p in read_jsonl(old) if p["why"].startswith("refused")}
	for i in sorted(refused & set(by_id)):
		problems.append("refused %s is in the ledger as seq %d" % (i, by_id[i]["seq"]))
	retried = committed = 0
	acked = Log(os.path.join(statedir, "acked.jsonl"))
	for a in st.attempted:
		if a["id"] in acked_ids or a["id"] in refused:
			continue
		retried += 1
		what, res = send(a)
		before = by_id.get(a["id"])
		committed += before is not None
		if what != "ok":
			problems.append("retry of %s: %s: %s" % (a["id"], what, res))
			continue
		if before is not None and (res.get("duplicate") is not True or res["seq"] != before["seq"]):
			problems.append("retry of committed %s (seq %d): duplicate=%r seq %r" %
				(a["id"], before["seq"], res.get("duplicate"), res.get("seq")))
		if before is None and res.get("duplicate") is not False:
			problems.append("retry of uncommitted %s: duplicate=%r" % (a["id"], res.get("duplicate")))
		acked.add(ack_record(a, res))
		acked_ids.add(a["id"])
	if retried:
		entries = list_entries(problems) or []
	check_ledger(entries, problems)
	return problems, ("%d entries, %d acknowledged writes present with their seqs, "
		"%d in doubt retried (%d had been committed)") % (
		len(entries), len(st.acked), retried, committed)


def main():
	if len(sys.argv) == 5 and sys.argv[1] == "write":
		Writer(State(sys.argv[2]), int(sys.argv[3]), sys.argv[4]).run()
		return 0
	if len(sys.argv) == 3 and sys.argv[1] == "check":
		global STATEDIR
		STATEDIR = sys.argv[2]
		problems, summary = check(sys.argv[2])
		if problems:
			print("%d problems; %s" % (len(problems), summary))
			for p in problems[:20]:
				print("  " + p)
			return 1
		print(summary + "; seqs gapless; balances, leaf hashes and root recomputed; "
			"signed checkpoint extends the last round's")
		return 0
	print("usage: crash.py write STATE ROUND SEED | check STATE", file=sys.stderr)
	return 2


if __name__ == "__main__":
	sys.exit(main())
