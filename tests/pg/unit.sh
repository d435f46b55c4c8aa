#!/usr/bin/env bash
# Run one unit test program on PostgreSQL (issue 19; the suite pg): a
# cluster of its own (tests/pg/cluster.sh) in a fresh directory under /tmp,
# PG_DIR and PG_ADMIN exported for tests/testutil.h's fixtures, stopped and
# removed when the program ends. Exit 77 (SKIP) without PostgreSQL 15.
#   tests/pg/unit.sh PROGRAM [ARGS...]
set -u
ROOT=${BROKERAGE_SOURCE_ROOT:?set BROKERAGE_SOURCE_ROOT to the source tree}
export BROKERAGE_TEST_ENGINE=pg
. "$ROOT/tests/pg/env.sh"
trap engine_stop EXIT
engine_start
"$@"
