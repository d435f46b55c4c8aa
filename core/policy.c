#include "core/policy.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_OFFICER] = "officer",
	[ROLE_TEAM_LEADER] = "team_leader",
	[ROLE_SUPERVISOR] = "supervisor",
	[ROLE_ADMIN] = "admin",
};

/* The titles with their articles, as a sentence names them ("you are an
 * administrator"); the title alone is what follows the first space. */
static const char *const role_titles[ROLE_COUNT] = {
	[ROLE_OFFICER] = "a brokerage officer",
	[ROLE_TEAM_LEADER] = "a team leader",
	[ROLE_SUPERVISOR] = "a supervisor",
	[ROLE_ADMIN] = "an administrator",
};

const char *policy_role_name(enum bk_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_names[r] : "?";
}

const char *policy_role_title(enum bk_role r)
{
	return (unsigned)r < ROLE_COUNT ? strchr(role_titles[r], ' ') + 1 : "?";
}

const char *policy_role_with_article(enum bk_role r)
{
	return (unsigned)r < ROLE_COUNT ? role_titles[r] : "?";
}

bool policy_role_parse(const char *name, enum bk_role *out)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum bk_role)i;
			return true;
		}
	return false;
}

#define O (1u << ROLE_OFFICER)
#define T (1u << ROLE_TEAM_LEADER)
#define S (1u << ROLE_SUPERVISOR)
#define A (1u << ROLE_ADMIN)

/* Who may do what, and the words for a refusal. */
static const struct {
	unsigned roles;
	const char *why;
} perms[PERM_COUNT] = {
	[PERM_READ] = { O | T | S | A, "" },
	[PERM_WORK_REFERRALS] = { O | T | S, "only brokerage officers, team leaders and supervisors work referrals" },
	[PERM_APPROVE_REFERRAL] = { T, "only a team leader can approve a referral before it is sent" },
	[PERM_ASSIGN] = { T, "only a team leader can reassign referrals" },
	[PERM_ESCALATE] = { T, "only a team leader can allow an early spot request" },
	[PERM_EDIT_PROVIDERS] = { T, "only a team leader can change providers and rankings" },
	[PERM_DECIDE_SPOT] = { S, "only a supervisor can approve or reject a spot purchase" },
	[PERM_MANAGE_STAFF] = { A, "only an administrator can manage staff" },
	[PERM_SWEEP] = { O | T | S | A, "" },
	[PERM_BACKUP] = { T | A, "only a team leader or an administrator can copy the whole database" },
	[PERM_RESTORE] = { A, "only an administrator can restore the database from a backup" },
	[PERM_SET_POLICY] = { A, "only an administrator can change the council's policy" },
};

#undef O
#undef T
#undef S
#undef A

bool policy_may(enum bk_role role, enum policy_perm perm, const char **why)
{
	if ((unsigned)perm >= PERM_COUNT || (unsigned)role >= ROLE_COUNT) {
		*why = "unknown role or permission";
		return false;
	}
	if (perms[perm].roles & (1u << role))
		return true;
	*why = perms[perm].why;
	return false;
}

void policy_cascade(enum bk_cascade cascade, int batch, const struct policy_slot *slots, int n,
                    struct policy_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	plan->confirm = -1;
	int best_accept = -1, open = 0;
	for (int i = 0; i < n; i++) {
		if (slots[i].state == SLOT_ACCEPTED && best_accept < 0)
			best_accept = i;
		if (slots[i].state == SLOT_OPEN)
			open++;
	}
	if (best_accept >= 0) {
		for (int i = 0; i < best_accept; i++)
			if (slots[i].state == SLOT_OPEN) {
				plan->waiting_on_higher = true;
				return;
			}
		plan->confirm = best_accept;
		return;
	}
	int limit = cascade == BK_CASCADE_PARALLEL ? (batch > 0 ? batch : 1) : 1;
	if (limit > POLICY_MAX_SEND)
		limit = POLICY_MAX_SEND;
	for (int i = 0; i < n && open < limit; i++) {
		if (slots[i].eligible && slots[i].state == SLOT_NONE) {
			plan->send[plan->n_send++] = i;
			open++;
		}
	}
	plan->exhausted = open == 0;
}

bool policy_may_decide_spot(int64_t decider_id, enum bk_role decider_role, int64_t requester_id, const char **why)
{
	if (!policy_may(decider_role, PERM_DECIDE_SPOT, why))
		return false;
	if (decider_id == requester_id) {
		*why = "you requested this spot purchase, so another supervisor must decide it";
		return false;
	}
	return true;
}

bool policy_needs_key_decision(int64_t annual_cost, int64_t threshold)
{
	return threshold > 0 && annual_cost >= threshold;
}
