/* The reply token of an offer: "BRK-<offer>-<tag>", carried in the subject
 * of every message about the offer as "[BRK-...]". The tag is a keyed hash
 * of the offer's id under a secret of this database, so a reply naming an
 * offer can be told from a guess: knowing one token tells nothing of the
 * next. */
#ifndef BK_MAIL_TOKEN_H
#define BK_MAIL_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/brokerage.h"

/* Characters in a tag (base32, lower case): 60 bits. */
#define BK_TOKEN_TAG_LEN 12
/* Room for a whole token and its NUL. */
#define BK_TOKEN_MAX 48

/* The token of an offer into out. The database's secret is made on first
 * use, so call it inside a write transaction (sending the offer). */
enum bk_status bk_mail_token(struct bk_ctx *ctx, int64_t offer_id, char *out, size_t len);

enum bk_token_check {
	BK_TOKEN_NONE,    /* no token in the text */
	BK_TOKEN_BAD_TAG, /* an offer id, but a tag this database did not make */
	BK_TOKEN_OK,
};
/* Find the first token in text (a subject, a body): its offer id (also set
 * for a bad tag) and whether its tag checks out. Case of the tag is ignored. */
enum bk_token_check bk_mail_token_find(struct bk_ctx *ctx, const char *text, int64_t *offer_id);

#endif
