/*
 * workload.h - the disbursements both benchmark programs write.
 *
 * ledger-bench sends these requests to ledgerd and lmdb-raw appends their
 * encodings straight into LMDB; both build them here, so the raw LMDB limit
 * is measured with byte-for-byte the same entries (about 200 bytes each,
 * the size the throughput targets are stated for).
 *
 * A request is named by (tag, conn, n): the run's tag, the connection that
 * sends it and its index on that connection.  The idempotency key spells
 * all three, so a ledger entry can be traced back to the request that made
 * it, and the request regenerated to compare its fields.
 */
#ifndef LD_BENCH_WORKLOAD_H
#define LD_BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

#define WL_TAG_MAX	16

struct wl_region {
	char	code[LD_CODE_MAX + 1];
	char	name[LD_TEXT_MAX + 1];
	char	category[LD_TEXT_MAX + 1];
	uint8_t	grant_type;
};

struct wl_regions {
	struct wl_region	*r;	/* owned */
	size_t			 n;
};

/*
 * Read a regions.tsv (header line, then code TAB name TAB grant_type TAB
 * category).  Returns 0, or -1 with a reason in err.
 */
int	wl_regions_load(struct wl_regions *, const char *path, char *err,
	    size_t errlen);
void	wl_regions_free(struct wl_regions *);

/*
 * The n-th disbursement of connection conn in run tag, in fiscal year fy.
 * Regions are visited in an order that differs per connection, so that
 * concurrent clerks spread over every region rather than queue on one.
 */
void	wl_disbursement(struct ld_entry *, const struct wl_regions *,
	    const char *tag, uint32_t conn, uint64_t n, uint16_t fy);

/*
 * Parse an id made by wl_disbursement(): 1 and *conn, *n when it carries
 * tag, else 0.
 */
int	wl_parse_id(const char *id, const char *tag, uint32_t *conn, uint64_t *n);

/* A run tag unlikely to repeat: base-36 of the time and pid. */
void	wl_make_tag(char tag[WL_TAG_MAX]);

#endif
