/* A message that came in, read with GMime: the sender, the subject decoded,
 * the Message-ID, when the council's own server received it (the top-most
 * Received header), and the body as plain text, whatever the client:
 * multipart/alternative (the plain part, else the HTML one stripped),
 * quoted-printable and base64, any charset GMime can convert (else the
 * bytes as far as they are UTF-8). Bounded: parts walked, depth, text. */
#include "core/mail_parse.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mail_text.h"
#include "core/text.h"

#define MAX_DEPTH 16
#define MAX_PARTS 256

static void gmime_once(void)
{
	static bool done;
	if (!done) {
		g_mime_init();
		done = true;
	}
}

static void copy_clean(const char *in, char *out, size_t len)
{
	text_utf8_clean(in ? in : "", out, len);
}

/* The found text parts: the first plain one, the first HTML one. */
struct found {
	int parts;
	GMimeTextPart *plain, *html;
	bool too_deep;
};

static void walk(GMimeObject *o, int depth, struct found *f)
{
	if (!o || ++f->parts > MAX_PARTS)
		return;
	if (depth > MAX_DEPTH) {
		f->too_deep = true;
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *m = GMIME_MULTIPART(o);
		int n = g_mime_multipart_get_count(m);
		for (int i = 0; i < n && f->parts <= MAX_PARTS; i++)
			walk(g_mime_multipart_get_part(m, i), depth + 1, f);
		return;
	}
	if (!GMIME_IS_TEXT_PART(o))
		return; /* attachments, forwarded messages: not the reply */
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);
	if (d && g_mime_content_disposition_is_attachment(d))
		return;
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	if (!f->plain && g_mime_content_type_is_type(ct, "text", "plain"))
		f->plain = GMIME_TEXT_PART(o);
	else if (!f->html && g_mime_content_type_is_type(ct, "text", "html"))
		f->html = GMIME_TEXT_PART(o);
}

/* The top-most Received header's date: after its last ';'. */
static int64_t received_at(GMimeMessage *msg)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	int n = hl ? g_mime_header_list_get_count(hl) : 0;
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = h ? g_mime_header_get_name(h) : NULL;
		if (!name || g_ascii_strcasecmp(name, "Received") != 0)
			continue;
		const char *v = g_mime_header_get_value(h);
		const char *semi = v ? strrchr(v, ';') : NULL;
		if (!semi)
			return 0;
		GDateTime *dt = g_mime_utils_header_decode_date(semi + 1);
		if (!dt)
			return 0;
		int64_t t = g_date_time_to_unix(dt);
		g_date_time_unref(dt);
		return t;
	}
	return 0;
}

static void sender(GMimeMessage *msg, char *out, size_t len)
{
	out[0] = '\0';
	InternetAddressList *l = g_mime_message_get_from(msg);
	int n = l ? internet_address_list_length(l) : 0;
	for (int i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		if (a && INTERNET_ADDRESS_IS_MAILBOX(a)) {
			const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
			copy_clean(addr, out, len);
			for (char *p = out; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			return;
		}
	}
}

static void unreadable(struct mail_msg *m, const char *why)
{
	m->readable = false;
	snprintf(m->why, sizeof m->why, "%s", why);
}

bool mail_parse(const char *data, size_t len, struct mail_msg *m)
{
	memset(m, 0, sizeof *m);
	m->text = calloc(1, 1);
	if (!m->text)
		return false;
	m->readable = true;
	if (len > BK_MAIL_MAX_BYTES) {
		char why[128];
		snprintf(why, sizeof why, "too big to read (%zu bytes; the limit is %zu)", len, BK_MAIL_MAX_BYTES);
		unreadable(m, why);
		return true;
	}
	gmime_once();
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (!msg) {
		unreadable(m, "not a mail message");
		return true;
	}
	sender(msg, m->from, sizeof m->from);
	copy_clean(g_mime_message_get_subject(msg), m->subject, sizeof m->subject);
	copy_clean(g_mime_message_get_message_id(msg), m->message_id, sizeof m->message_id);
	m->received_at = received_at(msg);

	struct found f = { 0 };
	walk(g_mime_message_get_mime_part(msg), 0, &f);
	GMimeTextPart *part = f.plain ? f.plain : f.html;
	char *raw = part ? g_mime_text_part_get_text(part) : NULL;
	if (!part) {
		unreadable(m, f.too_deep ? "its parts are nested too deep to read" : "it has no text to read");
	} else if (!raw) {
		unreadable(m, "its text could not be decoded");
	} else {
		size_t cap = BK_MAIL_MAX_TEXT + 1, html_cap = 16 * BK_MAIL_MAX_TEXT + 1;
		char *clean = part == f.html ? malloc(html_cap) : calloc(1, 1), *text = malloc(cap);
		if (!clean || !text) {
			free(clean);
			free(text);
			g_free(raw);
			g_object_unref(msg);
			return false;
		}
		if (part == f.plain) {
			/* bound the work before cleaning: at most four times the text kept */
			size_t n = strlen(raw);
			if (n > 4 * BK_MAIL_MAX_TEXT)
				raw[4 * BK_MAIL_MAX_TEXT] = '\0';
			text_utf8_clean(raw, text, cap);
		} else {
			size_t n = strlen(raw);
			if (n > 16 * BK_MAIL_MAX_TEXT)
				raw[16 * BK_MAIL_MAX_TEXT] = '\0';
			text_utf8_clean(raw, clean, html_cap);
			mail_html_to_text(clean, text, cap);
		}
		/* line ends as LF */
		size_t w = 0;
		for (size_t r = 0; text[r]; r++)
			if (text[r] != '\r')
				text[w++] = text[r];
		text[w] = '\0';
		free(clean);
		free(m->text);
		m->text = text;
		if (!*text)
			unreadable(m, "its text is empty");
	}
	g_free(raw);
	g_object_unref(msg);
	return true;
}

void mail_msg_free(struct mail_msg *m)
{
	free(m->text);
	m->text = NULL;
}
