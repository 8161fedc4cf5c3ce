/* sign.h — trusted bundles: ed25519 signatures (libsodium) over a whole bundle, the key files,
 * and the check falcod runs before it uses a bundle (`falcod --require-signed PUBKEY`).
 *
 * SIGNED BUNDLE. A signed bundle is an ordinary bundle (bundle.h) whose last section-table
 * entry is FC_SEC_SIG (id 255, count 1, size FC_SIG_SEC_LEN) and whose signature section is
 * the last FC_SIG_SEC_LEN bytes of the file, 8-aligned:
 *     0  alg        u32      FC_SIG_ALG_ED25519 (1)
 *     4  reserved   u32      0
 *     8  signer     32 bytes the signer's ed25519 public key (names the key in messages; the
 *                            check always uses the key falcod was given, never this one)
 *    40  signature  64 bytes ed25519 (pure, RFC 8032) over bytes [0, section offset)
 * The signed bytes are everything before the signature section: the header (size, section
 * count, crc32), the whole section table (including the signature's own entry) and every
 * other section, so no byte of the file can change without breaking the signature except the
 * signature itself. ed25519 is deterministic: the same unsigned bundle and key give the same
 * signed bytes. fc_sign_bundle makes it from an unsigned bundle by inserting the table entry
 * (every section moves 16 bytes, staying 8-aligned), appending the section and fixing size,
 * section count and crc32 (which, with a signature, covers [32, section offset)).
 *
 * KEY FILES (text, one line each; `falcoc keygen NAME` writes NAME.key mode 0600 and NAME.pub):
 *     secret: "falcod-ed25519-secret <64 hex digits: the 32-byte seed>\n"
 *     public: "falcod-ed25519-public <64 hex digits: the 32-byte public key>\n"
 * A secret key file readable or writable by group or others is refused (like ssh). */
#ifndef FC_SIGN_H
#define FC_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define FC_SIG_ALG_ED25519 1u
#define FC_SIG_SEC_LEN 104u
#define FC_SIG_PK_LEN 32u
#define FC_SIG_SK_LEN 64u /* libsodium's form: seed then public key */

/* Why a bundle or key is refused: distinct, each with a message saying what is wrong. */
enum fc_sig_err {
	FC_SIG_OK = 0,
	FC_SIG_IO = -1,        /* a file cannot be read or written */
	FC_SIG_KEY = -2,       /* a key file is malformed or has unsafe permissions */
	FC_SIG_NOTBUNDLE = -3, /* not a bundle, or its header/table is damaged */
	FC_SIG_UNSIGNED = -4,  /* a well-formed bundle with no signature */
	FC_SIG_MALFORMED = -5, /* a signature section that is cut, misplaced or of an unknown kind */
	FC_SIG_WRONGKEY = -6,  /* signed, but by another key than the trusted one */
	FC_SIG_BAD = -7,       /* the signature does not verify: modified after signing */
	FC_SIG_INTERNAL = -8,  /* libsodium could not start, out of memory */
};
const char *fc_sign_strerror(int err); /* "bundle is not signed", ... */

/* Generates a key pair (libsodium's random source). */
int fc_sign_keygen(uint8_t pk[FC_SIG_PK_LEN], uint8_t sk[FC_SIG_SK_LEN]);
/* Writes SECPATH (mode 0600, created exclusively: an existing file is never replaced) and
 * PUBPATH (mode 0644, exclusive too) for a new key pair. */
int fc_sign_write_keypair(const char *secpath, const char *pubpath, char *err, size_t errlen);
int fc_sign_read_pubkey(const char *path, uint8_t pk[FC_SIG_PK_LEN], char *err, size_t errlen);
int fc_sign_read_seckey(const char *path, uint8_t sk[FC_SIG_SK_LEN], char *err, size_t errlen);
/* Key id for messages: the first 8 bytes of the public key in hex (16 chars + NUL). */
void fc_sign_keyid(const uint8_t pk[FC_SIG_PK_LEN], char out[17]);

/* Signs the unsigned bundle IN[0..LEN): *OUT (malloc'd, *OUTLEN bytes) is the signed bundle.
 * Refuses a bundle that is already signed or whose header/table is not well formed. */
int fc_sign_bundle(const uint8_t *in, size_t len, const uint8_t sk[FC_SIG_SK_LEN], uint8_t **out, size_t *outlen,
		   char *err, size_t errlen);
/* Checks that BUF[0..LEN) is a bundle signed by PK. Looks only at the header, the table and the
 * signature; the bundle's contents are checked afterwards by fc_bundle_load as always. */
int fc_sign_verify(const uint8_t *buf, size_t len, const uint8_t pk[FC_SIG_PK_LEN], char *err, size_t errlen);

#endif
