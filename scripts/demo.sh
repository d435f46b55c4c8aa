#!/usr/bin/env bash
# One command: install what is missing, build, make a demo database and open
# the workstation on it as the brokerage officer "alice".
# Other people in the demo: --as tina (team leader), --as sam (supervisor).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh"
db="$here/build/demo.db"
if [ ! -f "$db" ]; then
	echo "making the demo database $db (2,000 referrals over two years)..." >&2
	"$here/build/brokerage" --db "$db" demo --referrals "${DEMO_REFERRALS:-2000}" --seed 1 >&2
fi
exec "$here/build/brokerage" --db "$db" --as "${DEMO_AS:-alice}" "$@"
