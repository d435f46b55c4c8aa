/* A message as it goes out: RFC 5322 written by a real MIME writer
 * (GMime), UTF-8 in headers encoded, the body quoted-printable UTF-8.
 * Only core/mail_message.c sees GMime. */
#ifndef BK_MAIL_MESSAGE_H
#define BK_MAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

struct bk_mail_out {
	const char *from;       /* an address */
	const char *reply_to;   /* an address, or NULL / "" for none */
	const char *to_name;    /* the display name of every recipient (the provider), or NULL */
	const char *to;         /* addresses separated by commas */
	const char *subject;    /* UTF-8 */
	const char *body;       /* UTF-8 text, lines ending in \n */
	const char *message_id; /* without the angle brackets */
	int64_t date;           /* UTC seconds, written in the process's zone */
};

/* The whole message, lines ending in \n (as sendmail -t takes it), in
 * memory the caller frees with free(); NULL when it cannot be written
 * (why in err). */
char *bk_mail_write(const struct bk_mail_out *m, char *err, size_t errlen);

#endif
