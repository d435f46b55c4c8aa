/* Is a sender one of a provider's contact addresses (schema 4)? The
 * addresses are kept normalised ("a@x.org,b@y.org"); a sender's address is
 * compared whole, case ignored (the local part too: councils' providers
 * do not rely on case to tell mailboxes apart). */
#include <string.h>
#include <strings.h>

#include "core/inbox.h"
#include "core/internal.h"
#include "storage/store.h"

bool bk_provider_has_email(struct bk_ctx *ctx, int64_t provider_id, const char *addr)
{
	if (!addr || !*addr)
		return false;
	struct store_provider p;
	if (store_provider_by_id(ctx->store, provider_id, &p) != STORE_OK)
		return false;
	size_t n = strlen(addr);
	for (const char *s = p.emails; *s;) {
		while (*s == ',' || *s == ' ')
			s++;
		const char *e = s + strcspn(s, ", ");
		if ((size_t)(e - s) == n && strncasecmp(s, addr, n) == 0)
			return true;
		s = e;
	}
	return false;
}
