/*
 * fuzz.h - what every harness in fuzz/ shares.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput() and nothing else that
 * is visible.  Built with clang and -fsanitize=fuzzer it is a libFuzzer
 * target; linked with replay.c and the normal compiler it is the regression
 * test that replays the committed corpus (fuzz/README.md).  A harness checks
 * more than "does not crash": where a decoder's result implies a property
 * (decode then encode gives the same bytes, a parsed amount is in range),
 * FUZZ_CHECK aborts when it does not hold, so libFuzzer and the replay test
 * both report it as a crash.
 */
#ifndef LD_FUZZ_H
#define LD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The Ed25519 key that signs the checkpoint seeds (gen_corpus.c) and that
 * fuzz_checkpoint.c verifies against: a fixed, public test key, so the
 * committed signed notes stay valid.  Never a real daemon's key.
 */
#define FUZZ_KEY_NAME	"fuzz.ledgerd.example"
#define FUZZ_KEY_SEED	"ledgerd fuzz corpus test key 01"	/* 31 + NUL = 32 */
_Static_assert(sizeof(FUZZ_KEY_SEED) == 32, "an Ed25519 seed is 32 bytes");

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#endif
