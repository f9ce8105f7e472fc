/*
 * fuzz_entry.c - the canonical entry decoder (proto/entry.h).
 *
 * entry_decode() reads stored records, wire answers and exported
 * leaf_data, none of which the reader can trust.  The canonical encoding
 * is what the Merkle tree hashes, so it must be exactly one-to-one: any
 * bytes that decode must re-encode to themselves, or two byte strings
 * would stand for one entry (and a verifier recomputing leaf hashes from
 * decoded entries would disagree with the tree).  A failed decode must
 * leave the entry zeroed, as entry.h promises.
 */
#include <string.h>

#include "entry.h"
#include "fuzz.h"
#include "merkle.h"
#include "wire.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ld_entry	 e;
	static const struct ld_entry zero;
	struct wbuf		 b;
	uint8_t			 h1[32], h2[MERKLE_HASH_LEN];

	if (entry_decode(&e, data, size) == -1) {
		FUZZ_CHECK(memcmp(&e, &zero, sizeof(e)) == 0);
		return 0;
	}
	FUZZ_CHECK(size <= LD_ENTRY_ENC_MAX);
	FUZZ_CHECK(e.seq != 0 && ld_kind_name(e.kind) != NULL);
	wbuf_init(&b);
	FUZZ_CHECK(entry_encode(&b, &e) == 0);
	FUZZ_CHECK(!b.err && b.len == size && memcmp(b.data, data, size) == 0);
	wbuf_free(&b);
	entry_leaf_hash(data, size, h1);
	merkle_leaf_hash(data, size, h2);
	FUZZ_CHECK(memcmp(h1, h2, sizeof(h1)) == 0);
	return 0;
}
