-- setup.sql - the seed's regions, FY2013 appropriations and an award of
-- 10^11 yen per region, as ledger-bench --setup writes them.  psql runs it
-- with conf/regions.tsv on its standard input (\copy takes no variables).
\set ON_ERROR_STOP on
\copy region (code, name, grant_type, category) FROM pstdin WITH (FORMAT text, HEADER true)
INSERT INTO account_year (account, fy, appropriated)
	SELECT CASE grant_type WHEN 'reconstruction' THEN 2 ELSE 1 END, 2013,
	    count(*) * 100000000000
	FROM region GROUP BY 1;
INSERT INTO award (region, fy, account, amount)
	SELECT code, 2013, CASE grant_type WHEN 'reconstruction' THEN 2 ELSE 1 END,
	    100000000000
	FROM region;
