/* Reply tokens (core/mail_token.h): a BLAKE2b keyed hash of the offer id
 * under a 32-byte secret kept in the database's meta table. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/internal.h"
#include "core/mail_token.h"

#define SECRET_KEY "mail_token_secret"

static const char base32[] = "abcdefghijklmnopqrstuvwxyz234567";

/* The secret as bytes; when there is none yet and make is set, a new one
 * from the system's random source (the caller's transaction keeps it). */
static enum bk_status secret(struct bk_ctx *ctx, bool make, unsigned char key[crypto_generichash_KEYBYTES], bool *found)
{
	char hex[2 * crypto_generichash_KEYBYTES + 1];
	*found = false;
	if (sodium_init() < 0)
		return bk_fail(ctx, BK_STORAGE, "the cryptography library could not start");
	enum store_status ss = store_meta_get(ctx->store, SECRET_KEY, hex, sizeof hex);
	if (ss == STORE_OK) {
		size_t n = 0;
		if (sodium_hex2bin(key, crypto_generichash_KEYBYTES, hex, strlen(hex), NULL, &n, NULL) != 0 ||
		    n != crypto_generichash_KEYBYTES)
			return bk_fail(ctx, BK_STORAGE, "the database's mail secret is damaged");
		*found = true;
		return BK_OK;
	}
	if (ss != STORE_NOT_FOUND)
		return bk_from_store(ctx, ss);
	if (!make)
		return BK_OK;
	randombytes_buf(key, crypto_generichash_KEYBYTES);
	sodium_bin2hex(hex, sizeof hex, key, crypto_generichash_KEYBYTES);
	ss = store_meta_set(ctx->store, SECRET_KEY, hex);
	sodium_memzero(hex, sizeof hex);
	if (ss != STORE_OK)
		return bk_from_store(ctx, ss);
	*found = true;
	return BK_OK;
}

static void tag_of(const unsigned char key[crypto_generichash_KEYBYTES], int64_t offer_id,
                   char tag[BK_TOKEN_TAG_LEN + 1])
{
	char msg[40];
	int n = snprintf(msg, sizeof msg, "offer:%lld", (long long)offer_id);
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)msg, (size_t)n, key, crypto_generichash_KEYBYTES);
	/* 5 bits a character, from the front of the hash */
	for (int i = 0; i < BK_TOKEN_TAG_LEN; i++) {
		int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned v = ((unsigned)h[byte] << 8 | h[byte + 1]) >> (11 - shift);
		tag[i] = base32[v & 31];
	}
	tag[BK_TOKEN_TAG_LEN] = '\0';
	sodium_memzero(h, sizeof h);
}

enum bk_status bk_mail_token(struct bk_ctx *ctx, int64_t offer_id, char *out, size_t len)
{
	unsigned char key[crypto_generichash_KEYBYTES];
	bool found;
	if (offer_id <= 0)
		return bk_fail(ctx, BK_REFUSED, "no such offer");
	enum bk_status st = secret(ctx, true, key, &found);
	if (st != BK_OK)
		return st;
	char tag[BK_TOKEN_TAG_LEN + 1];
	tag_of(key, offer_id, tag);
	sodium_memzero(key, sizeof key);
	if (snprintf(out, len, "BRK-%lld-%s", (long long)offer_id, tag) >= (int)len)
		return bk_fail(ctx, BK_STORAGE, "no room for a reply token");
	return BK_OK;
}

/* "BRK-<digits>-<tag>" at p (case ignored), not inside a longer word. */
static bool token_at(const char *text, const char *p, int64_t *offer_id, char tag[BK_TOKEN_TAG_LEN + 1])
{
	if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
		return false;
	if (strncasecmp(p, "BRK-", 4) != 0)
		return false;
	p += 4;
	int64_t id = 0;
	int digits = 0;
	for (; isdigit((unsigned char)*p); p++) {
		if (++digits > 15)
			return false;
		id = id * 10 + (*p - '0');
	}
	if (digits == 0 || id <= 0 || *p++ != '-')
		return false;
	for (int i = 0; i < BK_TOKEN_TAG_LEN; i++, p++) {
		char c = (char)tolower((unsigned char)*p);
		if (!c || !strchr(base32, c))
			return false;
		tag[i] = c;
	}
	if (isalnum((unsigned char)*p))
		return false;
	tag[BK_TOKEN_TAG_LEN] = '\0';
	*offer_id = id;
	return true;
}

enum bk_token_check bk_mail_token_find(struct bk_ctx *ctx, const char *text, int64_t *offer_id)
{
	char seen[BK_TOKEN_TAG_LEN + 1];
	int64_t id = 0;
	const char *p = text;
	bool any = false;
	for (; p && *p; p++) {
		if ((*p == 'B' || *p == 'b') && token_at(text, p, &id, seen)) {
			any = true;
			break;
		}
	}
	if (!any)
		return BK_TOKEN_NONE;
	*offer_id = id;
	unsigned char key[crypto_generichash_KEYBYTES];
	bool found = false;
	if (secret(ctx, false, key, &found) != BK_OK || !found)
		return BK_TOKEN_BAD_TAG;
	char want[BK_TOKEN_TAG_LEN + 1];
	tag_of(key, id, want);
	sodium_memzero(key, sizeof key);
	return sodium_memcmp(want, seen, BK_TOKEN_TAG_LEN) == 0 ? BK_TOKEN_OK : BK_TOKEN_BAD_TAG;
}
