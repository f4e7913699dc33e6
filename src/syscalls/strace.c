/* --strace: one line per syscall, arguments decoded from the table's
 * argument format, like `strace -f`. Reading user memory here is best
 * effort: what cannot be read prints as its address. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvisor/log.h"
#include "cvisor/task.h"
#include "strace.h"

#define STR_MAX 32

static void put_string(FILE *out, struct task *t, uaddr_t p, size_t max_len, bool is_buf)
{
	char buf[STR_MAX + 1];
	size_t n;
	if (is_buf) {
		n = MIN(max_len, STR_MAX);
		if (copy_in(t, buf, p, n) < 0) {
			fprintf(out, "%#llx", (unsigned long long)p);
			return;
		}
	} else {
		long r = copy_in_string(t, buf, p, sizeof(buf));
		if (r == -EFAULT) {
			fprintf(out, "%#llx", (unsigned long long)p);
			return;
		}
		n = r < 0 ? STR_MAX : (size_t)r;
		max_len = r < 0 ? STR_MAX + 1 : (size_t)r;
	}
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == '\n')
			fputs("\\n", out);
		else if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c >= 32 && c < 127)
			fputc(c, out);
		else
			fprintf(out, "\\%o", c);
	}
	fputc('"', out);
	if (max_len > n)
		fputs("...", out);
}

static void put_open_flags(FILE *out, uint64_t v)
{
	static const struct { int flag; const char *name; } flags[] = {
		{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
		{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" },
	};
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	fputs(acc[v & O_ACCMODE], out);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if ((v & (uint64_t)flags[i].flag) == (uint64_t)flags[i].flag)
			fprintf(out, "|%s", flags[i].name);
}

static void put_arg(FILE *out, struct task *t, char fmt, const struct syscall_args *a,
		    int i, long ret)
{
	uint64_t v = a->arg[i];
	switch (fmt) {
	case 'd': case 'f': case 'c': case 'S':
		fprintf(out, "%d", (int)v);
		break;
	case 'u':
		fprintf(out, "%llu", (unsigned long long)v);
		break;
	case 'm':
		fprintf(out, "0%llo", (unsigned long long)v);
		break;
	case 'o':
		put_open_flags(out, v);
		break;
	case 's':
		put_string(out, t, v, 0, false);
		break;
	case 'b':
		put_string(out, t, v, i < 5 ? a->arg[i + 1] : 0, true);
		break;
	case 'B':
		if (ret > 0)
			put_string(out, t, v, (size_t)ret, true);
		else
			fprintf(out, "%#llx", (unsigned long long)v);
		break;
	default:
		fprintf(out, "%#llx", (unsigned long long)v);
	}
}

void strace_log(struct task *t, const struct syscall_entry *e, const struct syscall_args *a,
		long ret, bool entry_only)
{
	FILE *out = strace_stream ? strace_stream : stderr;
	char *line = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&line, &size);
	if (!m)
		return;
	const char *name = e && e->name ? e->name : syscall_name(t->sc_nr);
	fprintf(m, "[pid %d] ", t->tid);
	if (name)
		fprintf(m, "%s(", name);
	else
		fprintf(m, "syscall_%llu(", (unsigned long long)t->sc_nr);
	const char *fmt = e && e->argfmt ? e->argfmt : "xxxxxx";
	for (int i = 0; fmt[i] && i < 6; i++) {
		if (i)
			fputs(", ", m);
		put_arg(m, t, fmt[i], a, i, ret);
	}
	if (entry_only)
		fputs(") = ?\n", m);
	else if (ret < 0 && ret >= -4095)
		fprintf(m, ") = -1 %s (%s)\n", strerrorname_np((int)-ret) ? strerrorname_np((int)-ret) : "E?",
			strerror((int)-ret));
	else
		fprintf(m, ") = %ld\n", ret);
	fclose(m);
	fputs(line, out);
	free(line);
}
