/* Private to storage/: libpq's functions as loaded when a PostgreSQL
 * database is first named (pg.c), so pg.c and pgpass.c call libpq through
 * the same pointers and the program is not linked to it. Include after
 * <libpq-fe.h>. */
#ifndef BK_STORE_PQ_H
#define BK_STORE_PQ_H

#include <stdbool.h>
#include <stddef.h>

/* libpq is loaded when a PostgreSQL database is first named, not linked:
 * the SQLite file stays the default, and a program that never connects
 * does not pay at every start for loading libpq and the twenty libraries
 * it needs (TLS, Kerberos, LDAP: measured 7.9 -> 31.8 million cycles in
 * the dynamic loader, about 8 ms a command). Each function below is
 * called through the pointer of the same name. */
#define PQ_FUNCTIONS(X)         \
	X(PQbackendPID)         \
	X(PQclear)              \
	X(PQcmdStatus)          \
	X(PQcmdTuples)          \
	X(PQconndefaults)       \
	X(PQconnectdbParams)    \
	X(PQconninfoFree)       \
	X(PQconninfoParse)      \
	X(PQconsumeInput)       \
	X(PQerrorMessage)       \
	X(PQexec)               \
	X(PQexecPrepared)       \
	X(PQfinish)             \
	X(PQfreemem)            \
	X(PQftype)              \
	X(PQgetisnull)          \
	X(PQgetlength)          \
	X(PQgetvalue)           \
	X(PQlibVersion)         \
	X(PQnfields)            \
	X(PQnotifies)           \
	X(PQntuples)            \
	X(PQprepare)            \
	X(PQreset)              \
	X(PQresultErrorField)   \
	X(PQresultErrorMessage) \
	X(PQresultStatus)       \
	X(PQserverVersion)      \
	X(PQsetNoticeProcessor) \
	X(PQstatus)             \
	X(PQtransactionStatus)  \
	X(PQunescapeBytea)

struct pq_table {
	bool tried, loaded;
	char why[256];
#define X(f) __typeof__(&f) p_##f;
	PQ_FUNCTIONS(X)
#undef X
};
extern struct pq_table pq;


/* Loads libpq once; false with err (when given) set in words when it cannot be. */
bool pq_load(char *err, size_t errlen);

#define PQbackendPID (*pq.p_PQbackendPID)
#define PQclear (*pq.p_PQclear)
#define PQcmdStatus (*pq.p_PQcmdStatus)
#define PQcmdTuples (*pq.p_PQcmdTuples)
#define PQconndefaults (*pq.p_PQconndefaults)
#define PQconnectdbParams (*pq.p_PQconnectdbParams)
#define PQconninfoFree (*pq.p_PQconninfoFree)
#define PQconninfoParse (*pq.p_PQconninfoParse)
#define PQconsumeInput (*pq.p_PQconsumeInput)
#define PQerrorMessage (*pq.p_PQerrorMessage)
#define PQexec (*pq.p_PQexec)
#define PQexecPrepared (*pq.p_PQexecPrepared)
#define PQfinish (*pq.p_PQfinish)
#define PQfreemem (*pq.p_PQfreemem)
#define PQftype (*pq.p_PQftype)
#define PQgetisnull (*pq.p_PQgetisnull)
#define PQgetlength (*pq.p_PQgetlength)
#define PQgetvalue (*pq.p_PQgetvalue)
#define PQlibVersion (*pq.p_PQlibVersion)
#define PQnfields (*pq.p_PQnfields)
#define PQnotifies (*pq.p_PQnotifies)
#define PQntuples (*pq.p_PQntuples)
#define PQprepare (*pq.p_PQprepare)
#define PQreset (*pq.p_PQreset)
#define PQresultErrorField (*pq.p_PQresultErrorField)
#define PQresultErrorMessage (*pq.p_PQresultErrorMessage)
#define PQresultStatus (*pq.p_PQresultStatus)
#define PQserverVersion (*pq.p_PQserverVersion)
#define PQsetNoticeProcessor (*pq.p_PQsetNoticeProcessor)
#define PQstatus (*pq.p_PQstatus)
#define PQtransactionStatus (*pq.p_PQtransactionStatus)
#define PQunescapeBytea (*pq.p_PQunescapeBytea)

#endif
