-- disburse_plain.sql - one pgbench transaction: a disbursement (schema.sql).
-- The same request as ledger-bench's: a region of the seed, 1-997 yen, a
-- unique idempotency key and ref, 1 July of FY2013, the same memo.
\set r random(1, 49)
\set amt random(1, 997)
\set k random(1, 1000000000000000)
SELECT disburse(code, 2013::smallint, :amt::bigint, 'V-' || :client_id || '-' || :k, 20130701, 'bench: equipment, staff and travel of the regional innovation programme, invoice on file', 'clerk01', 'pg-' || :client_id || '-' || :k, false) FROM region WHERE i = :r;
