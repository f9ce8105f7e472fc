/*
 * tls.c - the server's TLS context: TLS 1.3 only, key exchange limited to
 * the configured groups, a client certificate from client_ca is mandatory,
 * an optional CRL is checked.
 *
 * A context is built whole and validated before anyone uses it, so SIGHUP
 * can build a new one and swap the pointer, keeping the old context when
 * anything fails; open connections keep the context they started with
 * (each SSL holds a reference).  No session tickets and no session cache:
 * every connection re-checks the chain and the CRL, and resumption can't
 * trip over a missing session id context.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "entry.h"
#include "log.h"
#include "server.h"

/*
 * "what path: reasons", every queued OpenSSL error joined: the first one
 * often carries the system error ("Permission denied"), the last the
 * library's view of it.
 */
static void
ssl_reason(char *err, size_t errlen, const char *what, const char *path)
{
	unsigned long e;
	char buf[256];
	size_t off;
	int n;

	n = snprintf(err, errlen, "%s %s:", what, path);
	off = n < 0 ? 0 : (size_t)n;
	if (ERR_peek_error() == 0 && off < errlen)
		snprintf(err + off, errlen - off, " unknown error");
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		if (off < errlen) {
			n = snprintf(err + off, errlen - off, " %s", buf);
			off += n < 0 ? 0 : (size_t)n;
		}
	}
}

int
tls_check_key_file(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen, "%s: private key is accessible by group or "
		    "others (mode %04o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Add every CRL in a PEM file to store; log each one's nextUpdate. */
static int
load_crl(X509_STORE *store, const char *path, char *err, size_t errlen)
{
	X509_CRL *crl;
	FILE *f;
	int n = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "crl %s: %s", path, strerror(errno));
		return -1;
	}
	while ((crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)) != NULL) {
		const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
		char when[64] = "none";
		BIO *b;

		if (next != NULL && (b = BIO_new(BIO_s_mem())) != NULL) {
			if (ASN1_TIME_print(b, next) == 1) {
				int len = BIO_read(b, when, sizeof(when) - 1);
				when[len > 0 ? len : 0] = '\0';
			}
			BIO_free(b);
		}
		if (X509_STORE_add_crl(store, crl) != 1) {
			X509_CRL_free(crl);
			fclose(f);
			ssl_reason(err, errlen, "crl", path);
			return -1;
		}
		if (next != NULL && X509_cmp_current_time(next) < 0)
			log_warnx("CRL %s has expired (next update %s): every client "
			    "certificate will be refused until a fresh CRL is loaded",
			    path, when);
		else
			log_info("CRL %s loaded; next update %s", path, when);
		X509_CRL_free(crl);
		n++;
	}
	ERR_clear_error();	/* the end of the file reads as an error */
	fclose(f);
	if (n == 0) {
		snprintf(err, errlen, "crl %s: no CRL found in the file", path);
		return -1;
	}
	return 0;
}

SSL_CTX *
tls_ctx_13(const SSL_METHOD *method, const char *sid)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(method)) == NULL)
		return NULL;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)sid,
	    (unsigned)strlen(sid)) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* EOF without close_notify: frames are length-prefixed (ENGINEERING.md). */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
	    SSL_MODE_ENABLE_PARTIAL_WRITE);
	return ctx;
}

SSL_CTX *
tls_server_ctx(const struct config *conf, char *err, size_t errlen)
{
	STACK_OF(X509_NAME) *names;
	X509_STORE *store;
	SSL_CTX *ctx;

	ERR_clear_error();
	if ((ctx = tls_ctx_13(TLS_server_method(), "ledgerd")) == NULL) {
		ssl_reason(err, errlen, "TLS", "context");
		return NULL;
	}
	/* Idle connections give their record buffers back (~32 KiB each). */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

	/*
	 * Key exchange only with the groups named ([tls] groups, by default
	 * X25519:P-256): a client must not be able to choose ffdhe8192,
	 * ~100 ms of the event loop's CPU per handshake before anyone is
	 * authenticated.  A client offering none of them is refused.
	 */
	if (SSL_CTX_set1_groups_list(ctx, conf->tls_groups) != 1) {
		ssl_reason(err, errlen, "groups", conf->tls_groups);
		goto fail;
	}
	if (tls_check_key_file(conf->tls_key, err, errlen) != 0)
		goto fail;
	if (SSL_CTX_use_certificate_chain_file(ctx, conf->tls_cert) != 1) {
		ssl_reason(err, errlen, "certificate", conf->tls_cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, conf->tls_key, SSL_FILETYPE_PEM) != 1) {
		ssl_reason(err, errlen, "key", conf->tls_key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_reason(err, errlen, "key does not match certificate",
		    conf->tls_key);
		goto fail;
	}
	/* Only the client CA: never the system bundle. */
	if (SSL_CTX_load_verify_locations(ctx, conf->tls_client_ca, NULL) != 1) {
		ssl_reason(err, errlen, "client_ca", conf->tls_client_ca);
		goto fail;
	}
	if ((names = SSL_load_client_CA_file(conf->tls_client_ca)) == NULL) {
		ssl_reason(err, errlen, "client_ca", conf->tls_client_ca);
		goto fail;
	}
	SSL_CTX_set_client_CA_list(ctx, names);
	if (conf->tls_crl[0] != '\0') {
		store = SSL_CTX_get_cert_store(ctx);
		if (load_crl(store, conf->tls_crl, err, errlen) != 0)
			goto fail;
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	    NULL);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

int
tls_peer_cn(SSL *ssl, char *cn, size_t cnsz)
{
	X509 *cert;
	X509_NAME *subj;
	X509_NAME_ENTRY *ne;
	unsigned char *utf8 = NULL;
	int idx, len;

	cn[0] = '\0';
	if (ssl == NULL || (cert = SSL_get0_peer_certificate(ssl)) == NULL)
		return -1;
	if ((subj = X509_get_subject_name(cert)) == NULL)
		return -1;
	if ((idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1)) < 0)
		return -1;
	/* Two CNs would make the identity ambiguous. */
	if (X509_NAME_get_index_by_NID(subj, NID_commonName, idx) >= 0)
		return -1;
	ne = X509_NAME_get_entry(subj, idx);
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(ne));
	if (len <= 0 || (size_t)len >= cnsz || len > LD_ACTOR_MAX ||
	    memchr(utf8, '\0', (size_t)len) != NULL) {
		OPENSSL_free(utf8);
		return -1;
	}
	memcpy(cn, utf8, (size_t)len);
	cn[len] = '\0';
	OPENSSL_free(utf8);
	if (!ld_valid_text(cn, 0)) {
		cn[0] = '\0';
		return -1;
	}
	return 0;
}
