/* The timekeeper: the sandbox's clocks as a function of the TSC, so that
 * the vDSO can read them without a system call and the sentry gives the
 * same answers through one.
 *
 * The reference is the host's clock plus the kernel's offsets. A ktimer
 * samples (TSC, host time) every second, measures the TSC's rate against
 * the host clock over the last period, and publishes new parameters that
 * start where the old ones are now (the clock never goes back) and run a
 * little fast or slow so that the next update finds the clock LEAD_NS
 * ahead of the host's. Being slightly ahead, never behind, means a timer
 * the host fires at its deadline finds the sandbox clock past it. Where
 * the TSC is not invariant the parameters stay unpublished and both the
 * vDSO and the sentry use the host clock. */
#include <cpuid.h>

#include "cvisor/kernel.h"

#define FIRST_UPDATE_NS 100000000LL	/* first calibration over 100 ms */
#define UPDATE_NS 1000000000LL
#define LEAD_NS 10000LL
#define MAX_SLEW_PPM 500

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

static bool tsc_invariant(void)
{
	unsigned a, b, c, d;
	return __get_cpuid(0x80000007, &a, &b, &c, &d) && (d & (1u << 8));
}

/* A (TSC, host monotonic) pair: the TSC in the middle of the tightest of
 * a few brackets around the clock read. */
static void sample(uint64_t *tsc, int64_t *host)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 4; i++) {
		uint64_t before = rdtsc_ordered();
		int64_t h = host_monotonic_ns();
		uint64_t after = rdtsc_ordered();
		if (after - before < best) {
			best = after - before;
			*tsc = before + (after - before) / 2;
			*host = h;
		}
	}
}

static int64_t tsc_to_ns(const struct vdso_time *c, uint64_t tsc)
{
	return c->mono_base_ns +
	       (int64_t)(((unsigned __int128)(tsc - c->tsc_base) * c->mult) >> VDSO_MULT_SHIFT);
}

/* Seqlock write of P into DST (the timer thread is the only writer). */
static void store_params(struct vdso_time *dst, const struct vdso_time *p)
{
	uint32_t seq = __atomic_load_n(&dst->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&dst->tsc_base, p->tsc_base, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->mono_base_ns, p->mono_base_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->real_offset_ns, p->real_offset_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->mult, p->mult, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->ncpus, p->ncpus, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->ready, p->ready, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->seq, seq + 2, __ATOMIC_RELEASE);
}

/* The monotonic clock and realtime's offset from it; false before the
 * first calibration. */
static bool load_clock(struct timekeeper *tk, int64_t *mono, int64_t *real_offset)
{
	struct vdso_time *c = &tk->clock;
	uint32_t seq;
	do {
		seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		if (!__atomic_load_n(&c->ready, __ATOMIC_RELAXED))
			return false;
		struct vdso_time p = {
			.tsc_base = __atomic_load_n(&c->tsc_base, __ATOMIC_RELAXED),
			.mono_base_ns = __atomic_load_n(&c->mono_base_ns, __ATOMIC_RELAXED),
			.mult = __atomic_load_n(&c->mult, __ATOMIC_RELAXED),
		};
		*real_offset = __atomic_load_n(&c->real_offset_ns, __ATOMIC_RELAXED);
		*mono = tsc_to_ns(&p, rdtsc_ordered());
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&c->seq, __ATOMIC_RELAXED));
	return true;
}

static void update(struct ktimer *kt)
{
	struct kernel *k = container_of(kt, struct kernel, tk.update);
	struct timekeeper *tk = &k->tk;
	uint64_t tsc;
	int64_t host;
	sample(&tsc, &host);
	uint64_t cycles = tsc - tk->sample_tsc;
	int64_t elapsed = host - tk->sample_host_ns;
	if (cycles == 0 || elapsed <= 0)
		return;
	uint64_t measured = (uint64_t)(((unsigned __int128)elapsed << VDSO_MULT_SHIFT) / cycles);
	tk->sample_tsc = tsc;
	tk->sample_host_ns = host;

	int64_t target = host + tk->mono_offset_ns;
	struct vdso_time p = tk->clock;
	int64_t now = p.ready ? MAX(tsc_to_ns(&p, tsc), target) : target + LEAD_NS;
	int64_t max_slew = UPDATE_NS / 1000000 * MAX_SLEW_PPM;
	int64_t error = MIN(MAX(target + LEAD_NS - now, -max_slew), max_slew);
	p.mult = (uint64_t)((unsigned __int128)measured * (uint64_t)(UPDATE_NS + error) /
			    UPDATE_NS);
	p.tsc_base = tsc;
	p.mono_base_ns = now;
	int64_t real = host_realtime_ns(), mono = host_monotonic_ns();
	p.real_offset_ns = (real + tk->real_offset_ns) - (mono + tk->mono_offset_ns);
	p.ncpus = k->ncpus;
	p.ready = 1;
	store_params(&tk->clock, &p);
	store_params(tk->published, &p);
}

void timekeeper_init(struct kernel *k, struct vdso_time *published)
{
	struct timekeeper *tk = &k->tk;
	tk->published = published;
	tk->published->ncpus = k->ncpus;
	if (!tsc_invariant())
		return;
	sample(&tk->sample_tsc, &tk->sample_host_ns);
	ktimer_init(&tk->update, update);
	ktimer_set(k, &tk->update, tk->sample_host_ns + FIRST_UPDATE_NS, UPDATE_NS);
}

int64_t kernel_monotonic_ns(struct kernel *k)
{
	int64_t mono, real_offset;
	if (load_clock(&k->tk, &mono, &real_offset))
		return mono;
	return host_monotonic_ns() + k->tk.mono_offset_ns;
}

int64_t kernel_realtime_ns(struct kernel *k)
{
	int64_t mono, real_offset;
	if (load_clock(&k->tk, &mono, &real_offset))
		return mono + real_offset;
	return host_realtime_ns() + k->tk.real_offset_ns;
}
