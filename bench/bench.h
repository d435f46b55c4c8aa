/* The benchmark suite's shared helpers: a monotonic clock, medians and
 * percentiles, file copies, and the one line format every measuring
 * program prints for bench/run to collect:
 *   FIGURE <name> <project> <raw> <unit> [note...]
 * (raw is "-" when a figure has no baseline). Test code: not part of the
 * program, so it may use whatever a measurement needs. */
#ifndef BK_BENCH_H
#define BK_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t bench_now_ns(void);
double bench_ms(int64_t ns);

/* Sorts v in place. */
double bench_median(double *v, int n);
/* The p-th percentile (0..100), nearest rank; sorts v in place. */
double bench_percentile(double *v, int n, double p);

/* Copy a database file (and nothing beside it: the caller checkpointed it). */
bool bench_copy_file(const char *from, const char *to);
/* Remove a database and its -wal and -shm files. */
void bench_remove_db(const char *path);

void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print one FIGURE line; raw < 0 prints "-". */
void bench_figure(const char *name, double project, double raw, const char *unit, const char *note);

#endif
