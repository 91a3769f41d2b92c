/* A command for the perf_event path of `--cmd` (issue 38): a named serial function, then a
 * parallel part on THREADS threads, the same work split among them.
 *   cc -O2 -fno-omit-frame-pointer -pthread -o serial_then_parallel serial_then_parallel.c
 *   serial_then_parallel THREADS [SERIAL_UNITS [PARALLEL_UNITS]]
 * By default about 20% of the single-thread CPU time is in serial_merge and 80% in
 * parallel_chunk. The result is printed so that the work cannot be optimised away. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t step(uint64_t x) { return x * 6364136223846793005ULL + 1442695040888963407ULL; }

__attribute__((noinline)) uint64_t serial_merge(uint64_t units) {
    uint64_t x = 1;
    for (uint64_t i = 0; i < units; i++) x = step(x);
    return x;
}

struct chunk { uint64_t units, out; };

__attribute__((noinline)) uint64_t parallel_chunk(uint64_t units, uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t i = 0; i < units; i++) x = step(x);
    return x;
}

static void *worker(void *arg) {
    struct chunk *c = arg;
    c->out = parallel_chunk(c->units, c->units);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    uint64_t serial = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000000ULL;
    uint64_t parallel = argc > 3 ? strtoull(argv[3], NULL, 10) : 200000000ULL;
    if (threads < 1 || threads > 256) return 2;
    uint64_t sum = serial_merge(serial);
    pthread_t ids[256];
    struct chunk chunks[256];
    for (int t = 0; t < threads; t++) {
        chunks[t].units = parallel / threads;
        if (pthread_create(&ids[t], NULL, worker, &chunks[t]) != 0) return 3;
    }
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        sum += chunks[t].out;
    }
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
