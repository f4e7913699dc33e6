/* struct kernel: construction, clocks, unique IDs, the syslog and the
 * rate-limited unimplemented-syscall events. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cvisor/ipc.h"
#include "cvisor/kernel.h"
#include "cvisor/loader.h"
#include "cvisor/log.h"
#include "cvisor/syscalls.h"
#include "cvisor/task.h"

#define DEFAULT_MEMORY_LIMIT (16ULL << 30)
#define DEFAULT_MAX_TASKS 10000

static bool valid_hostname(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 64)
		return false;
	for (const char *p = h; *p; p++)
		if (!(*p == '-' || *p == '.' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

int kernel_init(struct kernel *k, const struct kernel_init_args *args)
{
	const char *hostname = args->hostname ? args->hostname : "cvisor";
	int err;

	if (!valid_hostname(hostname)) {
		log_error("invalid hostname \"%s\": 1-64 letters, digits, '-' or '.'", hostname);
		return -EINVAL;
	}
	const struct platform_ops *ops = args->platform ? platform_lookup(args->platform)
						      : platform_default();
	if (!ops) {
		log_error("unknown platform \"%s\" (known: %s)", args->platform, platform_names());
		return -EINVAL;
	}
	long host_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	k->ncpus = args->ncpus ? args->ncpus : (unsigned)(host_cpus > 0 ? host_cpus : 1);
	k->ncpus = MIN(k->ncpus, KERNEL_MAX_CPUS);
	k->max_tasks = args->max_tasks ? args->max_tasks : DEFAULT_MAX_TASKS;

	/* The platform first: it reserves fixed addresses (the stub region)
	 * that the memory file's large mapping could otherwise take. */
	k->platform.ops = ops;
	if ((err = ops->init(&k->platform, &k->mf)) < 0) {
		log_error("platform %s: cannot initialise: %s", ops->name, strerror(-err));
		return err;
	}

	if ((err = memfile_init(&k->mf, args->memory_limit ? args->memory_limit
							   : DEFAULT_MEMORY_LIMIT)) < 0) {
		log_error("cannot create the memory file: %s", strerror(-err));
		return err;
	}
	k->tk.boot_mono_ns = host_monotonic_ns();
	k->root_userns = xzalloc(sizeof(*k->root_userns));
	k->root_userns->refs = 1;
	k->root_pidns = xzalloc(sizeof(*k->root_pidns));
	k->root_pidns->refs = 1;
	k->root_pidns->user_ns = k->root_userns;
	k->root_ipcns = ipc_ns_new(k);
	k->root_utsns = xzalloc(sizeof(*k->root_utsns));
	k->root_utsns->refs = 1;
	pthread_mutex_init(&k->root_utsns->lock, NULL);
	snprintf(k->root_utsns->hostname, sizeof(k->root_utsns->hostname), "%s", hostname);
	snprintf(k->root_utsns->domainname, sizeof(k->root_utsns->domainname), "(none)");

	pthread_mutex_init(&k->ts_lock, NULL);
	waitqueue_init(&k->signalfd_wq);
	waitqueue_init(&k->pidfd_wq);
	pthread_cond_init(&k->ts_changed, NULL);
	TAILQ_INIT(&k->thread_groups);
	pthread_mutex_init(&k->syslog.lock, NULL);
	ratelimit_init(&k->unimpl_events, 100, 1000);
	ktimers_init(&k->timers);
	cpu_ticker_init(k);
	futex_table_init(&k->futexes);
	if ((err = vdso_init(k)) < 0) {
		log_error("cannot create the vDSO: %s", strerror(-err));
		return err;
	}

	syslog_printf(k, "Linux version %s (cvisor) %s", CVISOR_UTS_RELEASE, CVISOR_UTS_VERSION);
	syslog_printf(k, "Command line: cvisor");
	syslog_printf(k, "platform: %s, %u application cores", ops->name, k->ncpus);
	syslog_printf(k, "Memory: %lluK available",
		      (unsigned long long)(k->mf.limit >> 10));
	return 0;
}

uint64_t kernel_unique_id(struct kernel *k)
{
	return ++k->unique_id;
}

int kernel_clock_read(struct task *t, clockid_t id, int64_t *ns)
{
	struct kernel *k = t->k;
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
		*ns = kernel_realtime_ns(k);
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
		*ns = kernel_monotonic_ns(k);
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = task_cpu_ns(t);
		return 0;
	default:
		return -EINVAL;
	}
}

void syslog_printf(struct kernel *k, const char *fmt, ...)
{
	char line[256];
	int64_t up = kernel_monotonic_ns(k) - k->tk.boot_mono_ns;
	int n = snprintf(line, sizeof(line), "[%5lld.%06lld] ", (long long)(up / 1000000000),
			 (long long)(up % 1000000000 / 1000));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");

	struct syslog *s = &k->syslog;
	size_t len = strlen(line);
	pthread_mutex_lock(&s->lock);
	if (s->len + len > SYSLOG_SIZE) {	/* drop the oldest half */
		size_t keep = s->len / 2;
		memmove(s->buf, s->buf + s->len - keep, keep);
		s->len = keep;
	}
	memcpy(s->buf + s->len, line, len);
	s->len += len;
	pthread_mutex_unlock(&s->lock);
}

void ratelimit_init(struct ratelimit *rl, double rate, double burst)
{
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate = rate;
	rl->burst = rl->tokens = burst;
	rl->last_ns = host_monotonic_ns();
}

bool ratelimit_allow(struct ratelimit *rl)
{
	pthread_mutex_lock(&rl->lock);
	int64_t now = host_monotonic_ns();
	rl->tokens = MIN(rl->burst, rl->tokens + (double)(now - rl->last_ns) * rl->rate / 1e9);
	rl->last_ns = now;
	bool ok = rl->tokens >= 1;
	if (ok)
		rl->tokens -= 1;
	else
		rl->suppressed++;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

void kernel_unimplemented_syscall(struct kernel *k, struct task *t, uint64_t nr)
{
	if (!ratelimit_allow(&k->unimpl_events))
		return;
	const char *name = syscall_name(nr);
	log_debug("unimplemented syscall: pid %d (%s) called %s (%llu)", t->tid, t->comm,
		  name ? name : "?", (unsigned long long)nr);
}

void uts_set_name(struct uts_ns *ns, bool domain, const char *name, size_t len)
{
	char *dst = domain ? ns->domainname : ns->hostname;
	len = MIN(len, sizeof(ns->hostname) - 1);
	pthread_mutex_lock(&ns->lock);
	memcpy(dst, name, len);
	dst[len] = '\0';
	pthread_mutex_unlock(&ns->lock);
}
