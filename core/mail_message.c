/* Writing a message with GMime: the one place outgoing mail is formatted,
 * so encoding (RFC 2047 words in headers, quoted-printable bodies) is the
 * library's, never done by hand. */
#include "core/mail_message.h"

#include <gmime/gmime.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void mime_init(void)
{
	static gsize done = 0;
	if (g_once_init_enter(&done)) {
		g_mime_init();
		g_once_init_leave(&done, 1);
	}
}

static bool add_mailbox(InternetAddressList *list, const char *name, const char *addr)
{
	InternetAddress *ia = internet_address_mailbox_new(name && *name ? name : NULL, addr);
	if (!ia)
		return false;
	internet_address_set_charset(ia, "utf-8");
	internet_address_list_add(list, ia);
	g_object_unref(ia);
	return true;
}

char *bk_mail_write(const struct bk_mail_out *m, char *err, size_t errlen)
{
	if (!m->from || !*m->from || !m->to || !*m->to || !m->message_id || !*m->message_id || !m->body) {
		snprintf(err, errlen, "a message needs a sender, a recipient, a Message-ID and a body");
		return NULL;
	}
	if (!g_utf8_validate(m->subject ? m->subject : "", -1, NULL) || !g_utf8_validate(m->body, -1, NULL) ||
	    (m->to_name && !g_utf8_validate(m->to_name, -1, NULL))) {
		snprintf(err, errlen, "a message's text is not UTF-8");
		return NULL;
	}
	mime_init();
	GMimeMessage *msg = g_mime_message_new(TRUE);
	char *out = NULL;
	bool ok = add_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_FROM), NULL, m->from);
	if (ok && m->reply_to && *m->reply_to)
		ok = add_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_REPLY_TO), NULL, m->reply_to);
	/* each address of the list, with the provider's name shown */
	char *to = g_strdup(m->to);
	int n_to = 0;
	for (char *save = NULL, *a = strtok_r(to, ",", &save); ok && a; a = strtok_r(NULL, ",", &save)) {
		while (*a == ' ')
			a++;
		if (*a) {
			ok = add_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO), m->to_name, a);
			n_to++;
		}
	}
	g_free(to);
	if (!ok || n_to == 0) {
		snprintf(err, errlen, "the message's addresses could not be written");
		g_object_unref(msg);
		return NULL;
	}
	g_mime_message_set_subject(msg, m->subject ? m->subject : "", "utf-8");
	g_mime_message_set_message_id(msg, m->message_id);
	GDateTime *date = g_date_time_new_from_unix_local(m->date);
	if (date) {
		g_mime_message_set_date(msg, date);
		g_date_time_unref(date);
	}
	/* the body as given, declared UTF-8 and sent quoted-printable: set_text
	 * would pick the smallest charset instead */
	GMimePart *part = GMIME_PART(g_mime_text_part_new_with_subtype("plain"));
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(m->body, strlen(m->body));
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_object_unref(stream);
	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "utf-8");
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	g_object_unref(part);

	GMimeFormatOptions *fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	char *text = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
	g_mime_format_options_free(fo);
	g_object_unref(msg);
	if (text) {
		out = strdup(text);
		g_free(text);
	}
	if (!out)
		snprintf(err, errlen, "out of memory writing a message");
	return out;
}
