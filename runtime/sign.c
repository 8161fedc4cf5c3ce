/* sign.c — trusted bundles (sign.h): key generation and key files, signing a finished bundle
 * (insert the signature's table entry, append the signature section) and the signature check
 * falcod runs before a bundle is used. Only the header, the table and the signature are read
 * here; every other byte is the bundle reader's business (bundle.c). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bundle.h"
#include "le.h"
#include "sign.h"

static const char SEC_TAG[] = "falcod-ed25519-secret ";
static const char PUB_TAG[] = "falcod-ed25519-public ";

const char *fc_sign_strerror(int err)
{
	switch (err) {
	case FC_SIG_OK: return "ok";
	case FC_SIG_IO: return "cannot read or write a file";
	case FC_SIG_KEY: return "bad key file";
	case FC_SIG_NOTBUNDLE: return "not a bundle";
	case FC_SIG_UNSIGNED: return "bundle is not signed";
	case FC_SIG_MALFORMED: return "malformed signature";
	case FC_SIG_WRONGKEY: return "signed with another key";
	case FC_SIG_BAD: return "bad signature";
	case FC_SIG_INTERNAL: return "internal error";
	}
	return "unknown error";
}

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		int n = snprintf(err, errlen, "%s: ", fc_sign_strerror(code));
		if (n >= 0 && (size_t)n < errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return code;
}


static bool sodium_ready(void)
{
	return sodium_init() >= 0; /* 0 first time, 1 afterwards; thread-safe */
}

void fc_sign_keyid(const uint8_t pk[FC_SIG_PK_LEN], char out[17])
{
	sodium_bin2hex(out, 17, pk, 8);
}

int fc_sign_keygen(uint8_t pk[FC_SIG_PK_LEN], uint8_t sk[FC_SIG_SK_LEN])
{
	if (!sodium_ready())
		return FC_SIG_INTERNAL;
	return crypto_sign_keypair(pk, sk) == 0 ? FC_SIG_OK : FC_SIG_INTERNAL;
}

/* ---- key files ---- */

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_keyfile(const char *path, mode_t mode, const char *tag, const uint8_t *key, char *err, size_t errlen)
{
	char line[128];
	size_t tl = strlen(tag);
	memcpy(line, tag, tl);
	sodium_bin2hex(line + tl, sizeof line - tl, key, 32);
	size_t n = tl + 64;
	line[n++] = '\n';
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		sodium_memzero(line, sizeof line);
		return fail(err, errlen, FC_SIG_IO, "%s: %s", path, strerror(errno));
	}
	/* the umask may only have narrowed MODE; fchmod makes a secret key 0600 whatever it is */
	int rc = fchmod(fd, mode) || write_all(fd, line, n) || fsync(fd) ? -1 : 0;
	int e = errno;
	sodium_memzero(line, sizeof line);
	if (close(fd) && !rc) {
		rc = -1;
		e = errno;
	}
	if (rc) {
		unlink(path);
		return fail(err, errlen, FC_SIG_IO, "%s: %s", path, strerror(e));
	}
	return FC_SIG_OK;
}

int fc_sign_write_keypair(const char *secpath, const char *pubpath, char *err, size_t errlen)
{
	uint8_t pk[FC_SIG_PK_LEN], sk[FC_SIG_SK_LEN];
	if (fc_sign_keygen(pk, sk) != FC_SIG_OK)
		return fail(err, errlen, FC_SIG_INTERNAL, "libsodium could not generate a key");
	int rc = write_keyfile(secpath, 0600, SEC_TAG, sk, err, errlen); /* sk starts with the seed */
	sodium_memzero(sk, sizeof sk);
	if (rc)
		return rc;
	rc = write_keyfile(pubpath, 0644, PUB_TAG, pk, err, errlen);
	if (rc)
		unlink(secpath); /* no half pair left behind */
	return rc;
}

/* Reads the one-line key file PATH with TAG into the 32 bytes KEY. */
static int read_keyfile(const char *path, const char *tag, bool secret, uint8_t key[32], char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, FC_SIG_IO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int e = errno;
		close(fd);
		return fail(err, errlen, FC_SIG_KEY, "%s: %s", path, S_ISREG(st.st_mode) ? strerror(e) : "not a regular file");
	}
	char buf[256];
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return fail(err, errlen, FC_SIG_IO, "%s: %s", path, strerror(e));
		}
		if (r == 0 || (n += (size_t)r) == sizeof buf - 1)
			break;
	}
	close(fd);
	buf[n] = 0;
	size_t tl = strlen(tag);
	int rc = FC_SIG_OK;
	size_t bin = 0;
	const char *end = NULL;
	if (n < tl || memcmp(buf, tag, tl)) {
		const char *other = secret ? PUB_TAG : SEC_TAG;
		rc = fail(err, errlen, FC_SIG_KEY, "%s: not a %s key file (it should start with \"%.*s\")%s", path,
			  secret ? "secret" : "public", (int)tl - 1, tag,
			  n >= tl && !memcmp(buf, other, tl) ? secret ? ": this is the public key" : ": this is the secret key"
							     : "");
	} else if (sodium_hex2bin(key, 32, buf + tl, n - tl, NULL, &bin, &end) || bin != 32 ||
		   strspn(end, " \t\r\n") != strlen(end)) {
		rc = fail(err, errlen, FC_SIG_KEY, "%s: expected 64 hex digits after \"%.*s\"", path, (int)tl - 1, tag);
	}
	if (!rc && secret && (st.st_mode & 077))
		rc = fail(err, errlen, FC_SIG_KEY, "%s: secret key is accessible by group or others (mode %04o); chmod 600 it",
			  path, (unsigned)(st.st_mode & 07777));
	sodium_memzero(buf, sizeof buf);
	if (rc)
		sodium_memzero(key, 32);
	return rc;
}

int fc_sign_read_pubkey(const char *path, uint8_t pk[FC_SIG_PK_LEN], char *err, size_t errlen)
{
	return read_keyfile(path, PUB_TAG, false, pk, err, errlen);
}

int fc_sign_read_seckey(const char *path, uint8_t sk[FC_SIG_SK_LEN], char *err, size_t errlen)
{
	if (!sodium_ready())
		return fail(err, errlen, FC_SIG_INTERNAL, "libsodium could not start");
	uint8_t seed[32], pk[FC_SIG_PK_LEN];
	int rc = read_keyfile(path, SEC_TAG, true, seed, err, errlen);
	if (!rc && crypto_sign_seed_keypair(pk, sk, seed))
		rc = fail(err, errlen, FC_SIG_INTERNAL, "libsodium could not derive the key pair");
	sodium_memzero(seed, sizeof seed);
	return rc;
}

/* ---- bundle header and table ---- */

struct hdr {
	uint64_t size;
	uint32_t nsect;
	uint64_t tab_end;
	long sig; /* table index of the FC_SEC_SIG entry, -1 when none */
};

/* The header and table of BUF, bounds-checked: enough to find the sections, nothing more. */
static int read_hdr(const uint8_t *buf, size_t len, struct hdr *h, char *err, size_t errlen)
{
	if (len < FC_BUNDLE_HDR_LEN || memcmp(buf, FC_BUNDLE_MAGIC, 8))
		return fail(err, errlen, FC_SIG_NOTBUNDLE, "%s", len < 8 || memcmp(buf, FC_BUNDLE_MAGIC, 8) ?
			    "no bundle magic" : "file shorter than the bundle header");
	h->size = rd64(buf + 16);
	h->nsect = rd32(buf + 24);
	h->tab_end = FC_BUNDLE_HDR_LEN + (uint64_t)h->nsect * 16;
	h->sig = -1;
	if (h->size != len)
		return fail(err, errlen, h->size > len ? FC_SIG_MALFORMED : FC_SIG_NOTBUNDLE,
			    "file is %zu bytes, its header says %llu (%s)", len, (unsigned long long)h->size,
			    h->size > len ? "truncated" : "trailing bytes");
	if (h->tab_end > len)
		return fail(err, errlen, FC_SIG_NOTBUNDLE, "section table of %u entries runs past the end of the file",
			    h->nsect);
	for (uint32_t i = 0; i < h->nsect; i++) {
		const uint8_t *e = buf + FC_BUNDLE_HDR_LEN + 16 * (uint64_t)i;
		uint64_t off = rd32(e + 8), sz = rd32(e + 12);
		if (off < h->tab_end || off + sz > len)
			return fail(err, errlen, FC_SIG_NOTBUNDLE, "section table entry %u: section %u [%llu, %llu) is "
				    "outside the file's sections", i, rd32(e), (unsigned long long)off,
				    (unsigned long long)(off + sz));
		if (rd32(e) == FC_SEC_SIG)
			h->sig = i;
	}
	return FC_SIG_OK;
}

static uint32_t crc_of(const uint8_t *p, uint64_t n)
{
	uLong c = crc32(0L, Z_NULL, 0);
	while (n) {
		uInt step = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, step);
		p += step;
		n -= step;
	}
	return (uint32_t)c;
}

int fc_sign_bundle(const uint8_t *in, size_t len, const uint8_t sk[FC_SIG_SK_LEN], uint8_t **out, size_t *outlen,
		   char *err, size_t errlen)
{
	*out = NULL;
	*outlen = 0;
	if (!sodium_ready())
		return fail(err, errlen, FC_SIG_INTERNAL, "libsodium could not start");
	struct hdr h;
	int rc = read_hdr(in, len, &h, err, errlen);
	if (rc)
		return rc == FC_SIG_MALFORMED ? fail(err, errlen, FC_SIG_NOTBUNDLE, "the bundle is truncated") : rc;
	if (h.sig >= 0)
		return fail(err, errlen, FC_SIG_NOTBUNDLE, "the bundle is already signed");
	if (h.nsect && rd32(in + FC_BUNDLE_HDR_LEN + 16 * (uint64_t)(h.nsect - 1)) >= FC_SEC_SIG)
		return fail(err, errlen, FC_SIG_NOTBUNDLE, "the last section id is not below %u", FC_SEC_SIG);
	uint64_t body = len + 16; /* every byte after the table moves by one entry */
	uint64_t sig_off = (body + 7) & ~(uint64_t)7;
	uint64_t total = sig_off + FC_SIG_SEC_LEN;
	if (total > UINT32_MAX)
		return fail(err, errlen, FC_SIG_NOTBUNDLE, "a signed bundle of %llu bytes exceeds 4 GiB",
			    (unsigned long long)total);
	uint8_t *p = calloc(1, total);
	if (!p)
		return fail(err, errlen, FC_SIG_INTERNAL, "out of memory");
	memcpy(p, in, h.tab_end);
	memcpy(p + h.tab_end + 16, in + h.tab_end, len - h.tab_end);
	for (uint32_t i = 0; i < h.nsect; i++) {
		uint8_t *e = p + FC_BUNDLE_HDR_LEN + 16 * (uint64_t)i;
		wr32(e + 8, rd32(e + 8) + 16);
	}
	uint8_t *e = p + h.tab_end;
	wr32(e, FC_SEC_SIG);
	wr32(e + 4, 1);
	wr32(e + 8, (uint32_t)sig_off);
	wr32(e + 12, FC_SIG_SEC_LEN);
	wr64(p + 16, total);
	wr32(p + 24, h.nsect + 1);
	wr32(p + 28, crc_of(p + 32, sig_off - 32));
	uint8_t *s = p + sig_off;
	wr32(s, FC_SIG_ALG_ED25519);
	wr32(s + 4, 0);
	memcpy(s + 8, sk + 32, FC_SIG_PK_LEN); /* libsodium's secret key ends with the public key */
	if (crypto_sign_detached(s + 40, NULL, p, sig_off, sk)) {
		free(p);
		return fail(err, errlen, FC_SIG_INTERNAL, "libsodium could not sign");
	}
	*out = p;
	*outlen = total;
	return FC_SIG_OK;
}

int fc_sign_verify(const uint8_t *buf, size_t len, const uint8_t pk[FC_SIG_PK_LEN], char *err, size_t errlen)
{
	if (!sodium_ready())
		return fail(err, errlen, FC_SIG_INTERNAL, "libsodium could not start");
	struct hdr h;
	int rc = read_hdr(buf, len, &h, err, errlen);
	if (rc)
		return rc;
	if (h.sig < 0)
		return fail(err, errlen, FC_SIG_UNSIGNED, "no signature section (sign it with 'falcoc compile --sign KEY')");
	const uint8_t *e = buf + FC_BUNDLE_HDR_LEN + 16 * (uint64_t)h.sig;
	uint32_t count = rd32(e + 4), off = rd32(e + 8), size = rd32(e + 12);
	if ((uint32_t)h.sig != h.nsect - 1)
		return fail(err, errlen, FC_SIG_MALFORMED, "the signature is not the last section-table entry");
	if (size != FC_SIG_SEC_LEN || count != 1)
		return fail(err, errlen, FC_SIG_MALFORMED, "signature section of %u bytes and %u records, expected %u bytes "
			    "and 1 record (truncated signature?)", size, count, FC_SIG_SEC_LEN);
	if (off % 8 || (uint64_t)off + size != len)
		return fail(err, errlen, FC_SIG_MALFORMED, "signature section at byte %u does not end the file (%zu bytes)",
			    off, len);
	const uint8_t *s = buf + off;
	if (rd32(s) != FC_SIG_ALG_ED25519 || rd32(s + 4))
		return fail(err, errlen, FC_SIG_MALFORMED, "signature algorithm %u (only %u, ed25519, is known)", rd32(s),
			    FC_SIG_ALG_ED25519);
	char want[17], got[17];
	fc_sign_keyid(pk, want);
	fc_sign_keyid(s + 8, got);
	if (memcmp(s + 8, pk, FC_SIG_PK_LEN))
		return fail(err, errlen, FC_SIG_WRONGKEY, "signed by key %s, the trusted key is %s", got, want);
	if (crypto_sign_verify_detached(s + 40, buf, off, pk))
		return fail(err, errlen, FC_SIG_BAD, "the signature by key %s does not match the bundle's bytes "
			    "[0, %u): it was modified after signing", want, off);
	return FC_SIG_OK;
}
