/* A message that came in, read with GMime (the one place MIME is parsed).
 * Hostile input: the caller bounds its size (BK_MAIL_MAX_BYTES); the parts
 * walked, their depth and the text kept are bounded here. */
#ifndef BK_MAIL_PARSE_H
#define BK_MAIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The biggest message read: a reply with a signature and a logo is far
 * below it; anything over is refused unread. */
#define BK_MAIL_MAX_BYTES ((size_t)4 << 20)
/* The most text of a message kept (for the answer and for showing). */
#define BK_MAIL_MAX_TEXT ((size_t)64 << 10)

struct mail_msg {
	char from[256];       /* the sender's address, lower case ("" when none) */
	char subject[512];    /* decoded (RFC 2047), valid UTF-8 */
	char message_id[256]; /* without the angle brackets; "" when none */
	int64_t received_at;  /* the top-most Received header's time, 0 when none can be read */
	char *text;           /* the body as plain text (HTML stripped), valid UTF-8; malloc'd, never NULL */
	bool readable;        /* false: why says what is wrong with it */
	char why[256];
};

/* Read a message. Always fills out (text is "" when unreadable); false
 * only when out of memory. Free with mail_msg_free. */
bool mail_parse(const char *data, size_t len, struct mail_msg *out);
void mail_msg_free(struct mail_msg *m);

#endif
