/* test_sign.c — trusted bundles (runtime/sign.h): key files, signing, and the check that
 * refuses every unsigned, damaged, cut or otherwise-signed bundle; fc_bundle_open_signed. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bundle.h"
#include "rulesrc.h"
#include "sign.h"

static const char rules_text[] = "- macro: m\n"
				 "  condition: proc.name = bash\n"
				 "- rule: shell reads passwd\n"
				 "  desc: a test rule\n"
				 "  condition: evt.type = openat and m and fd.name = /etc/passwd\n"
				 "  output: \"%proc.name read %fd.name\"\n"
				 "  priority: WARNING\n"
				 "  tags: [a, b]\n"
				 "- rule: any execve\n"
				 "  desc: another\n"
				 "  condition: evt.type = execve and proc.cmdline contains x\n"
				 "  output: \"exec %proc.cmdline\"\n"
				 "  priority: NOTICE\n";

static uint8_t *unsigned_bundle(size_t *len)
{
	void *buf = NULL;
	cr_assert(fc_rules_to_bundle(NULL, 0, "t.yaml", rules_text, sizeof rules_text - 1, &buf, len, stderr));
	return buf;
}

static char err[1024];

static uint8_t *signed_bundle(const uint8_t sk[FC_SIG_SK_LEN], size_t *len)
{
	size_t ulen;
	uint8_t *u = unsigned_bundle(&ulen), *s;
	cr_assert_eq(fc_sign_bundle(u, ulen, sk, &s, len, err, sizeof err), FC_SIG_OK, "%s", err);
	free(u);
	return s;
}

static void keys(uint8_t pk[FC_SIG_PK_LEN], uint8_t sk[FC_SIG_SK_LEN])
{
	cr_assert_eq(fc_sign_keygen(pk, sk), FC_SIG_OK);
}

static uint32_t r32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void p32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* RC is CODE and err the exact message FMT... */
static void expect_err(int rc, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void expect_err(int rc, int code, const char *fmt, ...)
{
	char want[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	cr_assert_eq(rc, code, "got %d (%s), want %d (%s)", rc, err, code, want);
	cr_assert_str_eq(err, want);
}

Test(sign, signed_bundle_verifies_and_loads_like_the_unsigned_one)
{
	uint8_t pk[32], sk[64];
	keys(pk, sk);
	size_t ulen, slen;
	uint8_t *u = unsigned_bundle(&ulen), *s = signed_bundle(sk, &slen);
	cr_assert_eq(slen % 8, 0);
	cr_assert_geq(slen, ulen + 16 + FC_SIG_SEC_LEN);
	cr_assert_eq(fc_sign_verify(s, slen, pk, err, sizeof err), FC_SIG_OK, "%s", err);
	struct fc_bundle *a, *b;
	cr_assert_eq(fc_bundle_load(u, ulen, &a, err, sizeof err), FC_BERR_OK, "%s", err);
	cr_assert_eq(fc_bundle_load(s, slen, &b, err, sizeof err), FC_BERR_OK, "%s", err);
	cr_assert_eq(fc_bundle_nrules(a), 2);
	cr_assert_eq(fc_bundle_nrules(b), 2);
	for (uint32_t i = 0; i < 2; i++) {
		cr_assert_str_eq(fc_bundle_rule(a, i)->name, fc_bundle_rule(b, i)->name);
		cr_assert_eq(fc_bundle_rule(a, i)->ntags, fc_bundle_rule(b, i)->ntags);
		cr_assert_eq(fc_bundle_rule(a, i)->nout, fc_bundle_rule(b, i)->nout);
	}
	cr_assert_eq(fc_bundle_nslots(a), fc_bundle_nslots(b));
	/* the signature section: the last table entry and the last bytes of the file */
	uint32_t n = r32(s + 24);
	const uint8_t *e = s + 64 + 16 * (n - 1);
	cr_assert_eq(r32(e), FC_SEC_SIG);
	cr_assert_eq(r32(e + 4), 1);
	cr_assert_eq(r32(e + 8) + FC_SIG_SEC_LEN, slen);
	cr_assert_eq(r32(e + 12), FC_SIG_SEC_LEN);
	cr_assert_eq(r32(s + r32(e + 8)), FC_SIG_ALG_ED25519);
	cr_assert(!memcmp(s + r32(e + 8) + 8, pk, 32));
	fc_bundle_free(a);
	fc_bundle_free(b);
	free(u);
	free(s);
}

Test(sign, deterministic)
{
	uint8_t pk[32], sk[64], pk2[32], sk2[64];
	keys(pk, sk);
	keys(pk2, sk2);
	size_t l1, l2, l3;
	uint8_t *a = signed_bundle(sk, &l1), *b = signed_bundle(sk, &l2), *c = signed_bundle(sk2, &l3);
	cr_assert_eq(l1, l2);
	cr_assert(!memcmp(a, b, l1), "same input and key, different bytes");
	cr_assert_eq(l1, l3);
	cr_assert(memcmp(a, c, l1), "another key gave the same bytes");
	free(a);
	free(b);
	free(c);
}

Test(sign, unsigned_and_wrong_key_refused)
{
	uint8_t pk[32], sk[64], pk2[32], sk2[64];
	keys(pk, sk);
	keys(pk2, sk2);
	size_t ulen, slen;
	uint8_t *u = unsigned_bundle(&ulen), *s = signed_bundle(sk, &slen);
	cr_assert_eq(fc_sign_verify(u, ulen, pk, err, sizeof err), FC_SIG_UNSIGNED);
	cr_assert(strstr(err, "not signed"), "%s", err);
	cr_assert_eq(fc_sign_verify(s, slen, pk2, err, sizeof err), FC_SIG_WRONGKEY);
	char id1[17], id2[17];
	fc_sign_keyid(pk, id1);
	fc_sign_keyid(pk2, id2);
	cr_assert(strstr(err, id1) && strstr(err, id2), "%s", err);
	/* a re-signed copy is refused: signing takes only unsigned bundles */
	uint8_t *t;
	size_t tl;
	cr_assert_eq(fc_sign_bundle(s, slen, sk2, &t, &tl, err, sizeof err), FC_SIG_NOTBUNDLE);
	cr_assert(strstr(err, "already signed"), "%s", err);
	free(u);
	free(s);
}

/* Every single-byte change anywhere in the file is refused, and no change loads under
 * fc_bundle_open_signed's check. */
Test(sign, every_byte_flip_refused)
{
	uint8_t pk[32], sk[64];
	keys(pk, sk);
	size_t slen;
	uint8_t *s = signed_bundle(sk, &slen);
	for (size_t i = 0; i < slen; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			s[i] ^= (uint8_t)(1u << bit);
			int rc = fc_sign_verify(s, slen, pk, err, sizeof err);
			cr_assert_neq(rc, FC_SIG_OK, "flip of bit %d at byte %zu of %zu accepted", bit, i, slen);
			s[i] ^= (uint8_t)(1u << bit);
		}
	}
	cr_assert_eq(fc_sign_verify(s, slen, pk, err, sizeof err), FC_SIG_OK, "%s", err);
	free(s);
}

Test(sign, every_truncation_refused)
{
	uint8_t pk[32], sk[64];
	keys(pk, sk);
	size_t slen;
	uint8_t *s = signed_bundle(sk, &slen);
	for (size_t n = 0; n < slen; n++) {
		int rc = fc_sign_verify(s, n, pk, err, sizeof err);
		cr_assert_neq(rc, FC_SIG_OK, "prefix of %zu bytes accepted", n);
		if (n >= 64)
			cr_assert(strstr(err, "truncated"), "%zu: %s", n, err);
	}
	free(s);
}

/* Changes an attacker makes consistent again (size, crc32, table) are still refused. */
Test(sign, consistent_rewrites_refused)
{
	uint8_t pk[32], sk[64];
	keys(pk, sk);
	size_t slen;
	uint8_t *s = signed_bundle(sk, &slen);
	uint32_t n = r32(s + 24), e = 64 + 16 * (n - 1), off = r32(s + e + 8);
	uint8_t *c = malloc(slen + 64);

	/* body changed, crc32 recomputed */
	memcpy(c, s, slen);
	c[off - 200] ^= 1;
	p32(c + 28, (uint32_t)crc32(crc32(0, Z_NULL, 0), c + 32, off - 32));
	cr_assert_eq(fc_sign_verify(c, slen, pk, err, sizeof err), FC_SIG_BAD, "%s", err);
	cr_assert(strstr(err, "modified after signing"), "%s", err);

	/* signature cut to 64 bytes with the size and table entry fixed */
	memcpy(c, s, slen);
	p32(c + e + 12, 64);
	p32(c + 16, off + 64);
	expect_err(fc_sign_verify(c, off + 64, pk, err, sizeof err), FC_SIG_MALFORMED,
		   "malformed signature: signature section of 64 bytes and 1 records, expected %u bytes and 1 "
		   "record (truncated signature?)",
		   FC_SIG_SEC_LEN);

	/* bytes appended after the signature, size fixed */
	memcpy(c, s, slen);
	memset(c + slen, 0, 64);
	p32(c + 16, (uint32_t)slen + 64);
	expect_err(fc_sign_verify(c, slen + 64, pk, err, sizeof err), FC_SIG_MALFORMED,
		   "malformed signature: signature section at byte %u does not end the file (%zu bytes)", off, slen + 64);

	/* the signature entry dropped from the table count: unsigned (with trailing bytes) */
	memcpy(c, s, slen);
	p32(c + 24, n - 1);
	expect_err(fc_sign_verify(c, slen, pk, err, sizeof err), FC_SIG_UNSIGNED,
		   "bundle is not signed: no signature section (sign it with 'falcoc compile --sign KEY')");

	/* unknown algorithm */
	memcpy(c, s, slen);
	p32(c + off, 2);
	expect_err(fc_sign_verify(c, slen, pk, err, sizeof err), FC_SIG_MALFORMED,
		   "malformed signature: signature algorithm 2 (only 1, ed25519, is known)");

	/* the signer field replaced by the trusted key: the signature itself still fails */
	uint8_t pk2[32], sk2[64];
	keys(pk2, sk2);
	size_t s2len;
	uint8_t *s2 = signed_bundle(sk2, &s2len);
	cr_assert_eq(s2len, slen);
	memcpy(s2 + off + 8, pk, 32);
	char id[17];
	fc_sign_keyid(pk, id);
	expect_err(fc_sign_verify(s2, s2len, pk, err, sizeof err), FC_SIG_BAD,
		   "bad signature: the signature by key %s does not match the bundle's bytes [0, %u): it was "
		   "modified after signing",
		   id, off);
	free(s2);
	free(c);
	free(s);
}

Test(sign, sign_refuses_damaged_input)
{
	uint8_t pk[32], sk[64];
	keys(pk, sk);
	size_t ulen;
	uint8_t *u = unsigned_bundle(&ulen), *o;
	size_t olen;
	expect_err(fc_sign_bundle(u, ulen - 1, sk, &o, &olen, err, sizeof err), FC_SIG_NOTBUNDLE,
		   "not a bundle: the bundle is truncated");
	expect_err(fc_sign_bundle(u, 40, sk, &o, &olen, err, sizeof err), FC_SIG_NOTBUNDLE,
		   "not a bundle: file shorter than the bundle header");
	uint8_t save = u[0];
	u[0] = 'X';
	expect_err(fc_sign_bundle(u, ulen, sk, &o, &olen, err, sizeof err), FC_SIG_NOTBUNDLE,
		   "not a bundle: no bundle magic");
	u[0] = save;
	uint32_t id0 = r32(u + 64), size0 = r32(u + 64 + 12);
	p32(u + 64 + 8, 8); /* first section inside the header */
	expect_err(fc_sign_bundle(u, ulen, sk, &o, &olen, err, sizeof err), FC_SIG_NOTBUNDLE,
		   "not a bundle: section table entry 0: section %u [8, %u) is outside the file's sections", id0,
		   8 + size0);
	cr_assert_null(o);
	free(u);
}

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_sign.XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void path(char *out, const char *name)
{
	snprintf(out, 128, "%s/%s", dir, name);
}

static void put_file(const char *p, const char *text, mode_t mode)
{
	FILE *f = fopen(p, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(p, mode), 0);
}

Test(sign, key_files, .init = mkdir_tmp, .fini = rm_tmp)
{
	char sec[128], pub[128];
	path(sec, "k.key");
	path(pub, "k.pub");
	cr_assert_eq(fc_sign_write_keypair(sec, pub, err, sizeof err), FC_SIG_OK, "%s", err);
	struct stat st;
	cr_assert_eq(stat(sec, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* never overwritten */
	cr_assert_eq(fc_sign_write_keypair(sec, pub, err, sizeof err), FC_SIG_IO);
	uint8_t pk[32], sk[64];
	cr_assert_eq(fc_sign_read_pubkey(pub, pk, err, sizeof err), FC_SIG_OK, "%s", err);
	cr_assert_eq(fc_sign_read_seckey(sec, sk, err, sizeof err), FC_SIG_OK, "%s", err);
	cr_assert(!memcmp(sk + 32, pk, 32), "the secret key's public half differs from the public key file");
	/* the pair signs and verifies */
	size_t slen;
	uint8_t *s = signed_bundle(sk, &slen);
	cr_assert_eq(fc_sign_verify(s, slen, pk, err, sizeof err), FC_SIG_OK, "%s", err);
	/* fc_bundle_open_signed from a file */
	char bpath[128];
	path(bpath, "b.fcb");
	FILE *f = fopen(bpath, "wb");
	cr_assert(f && fwrite(s, 1, slen, f) == slen && fclose(f) == 0);
	struct fc_bundle *b;
	cr_assert_eq(fc_bundle_open_signed(bpath, pk, &b, err, sizeof err), FC_BERR_OK, "%s", err);
	cr_assert_eq(fc_bundle_nrules(b), 2);
	fc_bundle_free(b);
	s[slen / 2] ^= 0x10;
	f = fopen(bpath, "wb");
	cr_assert(f && fwrite(s, 1, slen, f) == slen && fclose(f) == 0);
	cr_assert_eq(fc_bundle_open_signed(bpath, pk, &b, err, sizeof err), FC_BERR_SIGNATURE);
	cr_assert_null(b);
	cr_assert(strstr(err, "untrusted bundle: bad signature"), "%s", err);
	cr_assert_eq(fc_bundle_open_signed(dir, pk, &b, err, sizeof err), FC_BERR_IO);
	free(s);

	/* refused: a readable secret key, swapped key kinds, bad hex, wrong length */
	cr_assert_eq(chmod(sec, 0640), 0);
	cr_assert_eq(fc_sign_read_seckey(sec, sk, err, sizeof err), FC_SIG_KEY);
	cr_assert(strstr(err, "chmod 600"), "%s", err);
	cr_assert_eq(chmod(sec, 0600), 0);
	cr_assert_eq(fc_sign_read_pubkey(sec, pk, err, sizeof err), FC_SIG_KEY);
	cr_assert(strstr(err, "this is the secret key"), "%s", err);
	cr_assert_eq(fc_sign_read_seckey(pub, sk, err, sizeof err), FC_SIG_KEY);
	char p2[128];
	path(p2, "bad.pub");
	static const char *const bad_hex[] = {
		"falcod-ed25519-public 00112233\n",
		"falcod-ed25519-public zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		"falcod-ed25519-public 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00\n",
	};
	for (size_t i = 0; i < sizeof bad_hex / sizeof bad_hex[0]; i++) {
		put_file(p2, bad_hex[i], 0644);
		expect_err(fc_sign_read_pubkey(p2, pk, err, sizeof err), FC_SIG_KEY,
			   "bad key file: %s: expected 64 hex digits after \"falcod-ed25519-public\"", p2);
	}
	put_file(p2, "falcod-ed25519-public 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", 0644);
	cr_assert_eq(fc_sign_read_pubkey(p2, pk, err, sizeof err), FC_SIG_OK, "%s", err);
	cr_assert_eq(pk[1], 0x11);
	put_file(p2, "", 0644);
	expect_err(fc_sign_read_pubkey(p2, pk, err, sizeof err), FC_SIG_KEY,
		   "bad key file: %s: not a public key file (it should start with \"falcod-ed25519-public\")", p2);
	path(p2, "missing.pub");
	cr_assert_eq(fc_sign_read_pubkey(p2, pk, err, sizeof err), FC_SIG_IO);
	cr_assert(strstr(err, "missing.pub"), "%s", err);
}
