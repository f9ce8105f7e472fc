-- schema.sql - ledgerd's disbursement path in PostgreSQL 15, for bench/run.
--
-- The same logical workload as ledger-bench: a clerk pays a small amount
-- against a region's award, with an idempotency key.  The rules run inside
-- the transaction of the write, holding the award row (SELECT ... FOR
-- UPDATE), as a careful application would write them: validation, id
-- reuse, the date inside the fiscal year, a closed year, the award's room.
-- Account totals are derived (SUM) rather than kept in one hot row, which
-- would serialise every clerk on it.
--
-- disburse(..., chain => true) also extends a SHA-256 hash chain over the
-- entries, PostgreSQL's nearest equivalent of ledgerd's Merkle tree: each
-- entry's hash covers the previous hash, so the chain head is locked from
-- before the insert until the commit, and writers pass one at a time.
CREATE TABLE region (
	i		serial UNIQUE,		-- for pgbench to pick one
	code		text PRIMARY KEY,
	name		text NOT NULL,
	grant_type	text NOT NULL CHECK (grant_type IN
			    ('general', 'reconstruction', 'continuing')),
	category	text NOT NULL DEFAULT ''
);

CREATE TABLE account_year (
	account		smallint NOT NULL,	-- 1 general, 2 reconstruction
	fy		smallint NOT NULL,
	appropriated	bigint NOT NULL,
	closed		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (account, fy)
);

CREATE TABLE award (
	region		text NOT NULL REFERENCES region (code),
	fy		smallint NOT NULL,
	account		smallint NOT NULL,
	amount		bigint NOT NULL CHECK (amount > 0),
	disbursed	bigint NOT NULL DEFAULT 0,
	refunded	bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (region, fy)
);

CREATE TABLE entry (
	seq		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind		smallint NOT NULL,	-- 4 disbursement
	region		text NOT NULL,
	account		smallint NOT NULL,
	fy		smallint NOT NULL,
	amount		bigint NOT NULL CHECK (amount BETWEEN 1 AND 10000000000000),
	ref		text NOT NULL,
	date		integer NOT NULL,
	memo		text NOT NULL,
	actor		text NOT NULL,
	id		text UNIQUE,		-- the idempotency key
	recorded_at	timestamptz NOT NULL,
	chain_pos	bigint UNIQUE,		-- hash chain variant only
	hash		bytea
);

CREATE TABLE chain_head (
	one		boolean PRIMARY KEY CHECK (one),
	pos		bigint NOT NULL,
	hash		bytea NOT NULL
);
INSERT INTO chain_head VALUES (true, 0, sha256(''::bytea));

CREATE FUNCTION disburse(p_region text, p_fy smallint, p_amount bigint,
    p_ref text, p_date integer, p_memo text, p_actor text, p_id text,
    p_chain boolean)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	a	award%ROWTYPE;
	e	entry%ROWTYPE;
	h	chain_head%ROWTYPE;
	now_ts	timestamptz := clock_timestamp();
	v_hash	bytea;
	v_seq	bigint;
BEGIN
	IF p_amount < 1 OR p_amount > 10000000000000 OR
	    length(p_ref) NOT BETWEEN 1 AND 64 OR
	    length(p_id) NOT BETWEEN 1 AND 64 OR length(p_memo) > 512 THEN
		RAISE EXCEPTION 'BAD_REQUEST';
	END IF;
	-- A retried id answers the stored entry; other fields: ID_CONFLICT.
	SELECT * INTO e FROM entry WHERE id = p_id;
	IF FOUND THEN
		IF e.kind <> 4 OR e.region <> p_region OR e.fy <> p_fy OR
		    e.amount <> p_amount OR e.ref <> p_ref OR
		    e.date <> p_date OR e.memo <> p_memo THEN
			RAISE EXCEPTION 'ID_CONFLICT';
		END IF;
		RETURN e.seq;
	END IF;
	IF p_date < p_fy * 10000 + 401 OR p_date > (p_fy + 1) * 10000 + 331 THEN
		RAISE EXCEPTION 'DATE_OUTSIDE_FY';
	END IF;
	SELECT * INTO a FROM award
	    WHERE region = p_region AND fy = p_fy FOR UPDATE;
	IF NOT FOUND THEN
		IF NOT EXISTS (SELECT 1 FROM region WHERE code = p_region) THEN
			RAISE EXCEPTION 'UNKNOWN_REGION';
		END IF;
		RAISE EXCEPTION 'NO_AWARD';
	END IF;
	IF (SELECT closed FROM account_year
	    WHERE account = a.account AND fy = p_fy) THEN
		RAISE EXCEPTION 'YEAR_CLOSED';
	END IF;
	IF a.disbursed - a.refunded + p_amount > a.amount THEN
		RAISE EXCEPTION 'OVER_AWARD';
	END IF;
	IF p_chain THEN
		SELECT * INTO h FROM chain_head FOR UPDATE;
		v_hash := sha256(h.hash || convert_to(concat_ws('|', h.pos + 1,
		    4, p_region, a.account, p_fy, p_amount, p_ref, p_date, p_memo,
		    p_actor, p_id, now_ts), 'UTF8'));
		UPDATE chain_head SET pos = h.pos + 1, hash = v_hash;
	END IF;
	INSERT INTO entry (kind, region, account, fy, amount, ref, date, memo,
	    actor, id, recorded_at, chain_pos, hash)
	VALUES (4, p_region, a.account, p_fy, p_amount, p_ref, p_date, p_memo,
	    p_actor, p_id, now_ts, CASE WHEN p_chain THEN h.pos + 1 END, v_hash)
	RETURNING seq INTO v_seq;
	UPDATE award SET disbursed = disbursed + p_amount
	    WHERE region = p_region AND fy = p_fy;
	RETURN v_seq;
END
$$;
