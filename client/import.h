/*
 * import.h - `ledgerctl import FILE.csv`: a payment list (the contract's
 * "Reconciliation formats") read whole, then written as BATCH requests
 * over one connection, several in flight.
 *
 * Reading and sending are two steps so that a bad row is a usage error
 * before any connection: a file is either refused whole or sent whole.
 * The row parser is pure, for tests/test_recon.c.
 */
#ifndef LD_IMPORT_H
#define LD_IMPORT_H

#include <stddef.h>

#include "progress.h"
#include "wire.h"

struct ctl;
struct ctl_cmd;
struct ld_entry;

/* The header line must be exactly this (after an optional byte order mark). */
#define IMPORT_HEADER		"kind,region,fy,amount,ref,date,memo,id"
#define IMPORT_NFIELDS		8

/*
 * One import record into a write request: kind disbursement or refund,
 * region code, fiscal year and amount in ledgerctl's value syntaxes
 * (proto/values.h: FY2013, H25, 1.5億, 1,000 ...), ref, date, memo (may be
 * empty) and id (required), each within the contract's field limits.
 * Returns 0, or -1 with the field and the reason in err.
 */
int	import_parse_row(char *const *field, size_t nfield,
	    struct ld_entry *req, char *err, size_t errlen);

/* A file's rows, ready to send, and what the daemon made of them. */
struct import {
	struct wbuf	 items;		/* per row: u32 len, write request */
	size_t		*off;		/* owned: nrows + 1 offsets into items */
	unsigned long	*line;		/* owned: each row's line in the file */
	size_t		 nrows;
	size_t		 cap;
	int		 atomic;	/* --atomic: one batch, all or nothing */
	int		 allow_dup_ref;	/* --allow-duplicate-ref, every row */
	size_t		 written, dups, refused, unwritten;
	size_t		 requested;	/* of written: stored as requests
					   awaiting a second officer */
	struct progress	 prog;		/* import_pump()'s line on a terminal */
};

void	import_init(struct import *, int atomic);
void	import_free(struct import *);

/*
 * The whole file at path into im.  CTL_OK, or the status of a failure
 * already printed: an unreadable file or a bad row is a usage error of
 * cmd naming the line (CTL_USAGE), memory running out CTL_CONN.
 */
int	import_read(struct ctl *, const struct ctl_cmd *cmd,
	    const char *path, struct import *im);

/*
 * Send every row on the open connection and read every answer, counting
 * them in im; each refused row is printed as "ledgerctl: line N: CODE:
 * message" on stderr (with --json also as {"line","error","message"} on
 * stdout).  On a terminal, stderr shows "import: N/TOTAL rows" meanwhile
 * (progress.h), erased before the function returns.  CTL_OK when every answer arrived, refused rows or not; a
 * broken connection or answer is CTL_CONN, printed.
 */
int	import_pump(struct ctl *, struct import *im);

#endif
