/* Changing identity: the set*id family with Linux's rules (CAP_SETUID,
 * saved ids, capabilities dropped on leaving uid 0 unless keepcaps,
 * fsuid following euid), capget/capset and the capability prctls.
 * Each test changes ids in a child, so the program stays root. */
#include "test.h"

#include <linux/capability.h>
#include <linux/securebits.h>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>

/* Runs FN in a child; the child's failures are reported by the child
 * and counted here through its exit status. */
struct caps {
	uint64_t eff, perm, inh;
};

static struct caps get_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	struct caps c = { 0 };
	if (syscall(SYS_capget, &h, d) == 0) {
		c.eff = d[0].effective | (uint64_t)d[1].effective << 32;
		c.perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
		c.inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	}
	return c;
}

static int set_caps(struct caps c)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)c.eff, (uint32_t)c.perm, (uint32_t)c.inh },
		{ (uint32_t)(c.eff >> 32), (uint32_t)(c.perm >> 32), (uint32_t)(c.inh >> 32) },
	};
	return (int)syscall(SYS_capset, &h, d);
}

#define BIT(cap) (1ULL << (cap))

/* The real, effective and saved uids (GIDS: gids) are R, E and S. */
static void expect_ids(bool gids, unsigned r, unsigned e, unsigned s)
{
	unsigned got[3];
	ASSERT_OK(gids ? getresgid(&got[0], &got[1], &got[2]) : getresuid(&got[0], &got[1], &got[2]));
	EXPECT_EQ(got[0], r);
	EXPECT_EQ(got[1], e);
	EXPECT_EQ(got[2], s);
}

#define expect_uids(r, e, s) expect_ids(false, r, e, s)
#define expect_gids(r, e, s) expect_ids(true, r, e, s)

TEST(runs_as_root_with_capabilities)
{
	if (geteuid() != 0 || !(get_caps().eff & BIT(CAP_SETUID)))
		SKIP("needs root with CAP_SETUID");
	EXPECT_TRUE(get_caps().perm & BIT(CAP_SETPCAP));
}

/* --- setuid and friends --- */

static void setuid_from_root_drops_everything(void)
{
	EXPECT_OK(setuid(1000));
	expect_uids(1000, 1000, 1000);
	EXPECT_EQ(setfsuid(-1), 1000);	/* fsuid follows euid */
	struct caps c = get_caps();
	EXPECT_EQ(c.eff, 0);
	EXPECT_EQ(c.perm, 0);
	EXPECT_ERRNO(setuid(0), EPERM);
	EXPECT_ERRNO(setresuid(-1, 0, -1), EPERM);
	EXPECT_ERRNO(setgid(1234), EPERM);
	gid_t g = 5;
	EXPECT_ERRNO(setgroups(1, &g), EPERM);
	EXPECT_OK(setuid(1000));	/* its own uid stays allowed */
}

TEST(setuid_from_root_sets_all_ids_and_drops_capabilities)
{
	test_in_child(setuid_from_root_drops_everything);
}

TEST(setuid_minus_one_is_einval)
{
	EXPECT_ERRNO(syscall(SYS_setuid, -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_setgid, -1), EINVAL);
}

/* seteuid away from 0 keeps the saved uid 0: the effective set goes,
 * the permitted stays, and seteuid(0) brings the effective set back. */
static void seteuid_round_trip(void)
{
	struct caps before = get_caps();
	EXPECT_OK(setresuid(-1, 1000, -1));
	expect_uids(0, 1000, 0);
	struct caps c = get_caps();
	EXPECT_EQ(c.eff, 0);
	EXPECT_EQ(c.perm, before.perm);
	EXPECT_OK(setresuid(-1, 0, -1));
	expect_uids(0, 0, 0);
	EXPECT_EQ(get_caps().eff, before.perm);
}

TEST(seteuid_keeps_permitted_and_comes_back)
{
	test_in_child(seteuid_round_trip);
}

/* setreuid: setting the real uid, or an effective uid other than the
 * real one, makes the saved uid the new effective uid. */
static void setreuid_rules(void)
{
	EXPECT_OK(setreuid(1000, 2000));
	expect_uids(1000, 2000, 2000);
	EXPECT_ERRNO(setreuid(-1, 3000), EPERM);
	EXPECT_ERRNO(setreuid(3000, -1), EPERM);
	EXPECT_OK(setreuid(-1, 1000));	/* the real uid: saved unchanged */
	expect_uids(1000, 1000, 2000);
	EXPECT_OK(setreuid(-1, 2000));	/* the saved uid, not the real one */
	expect_uids(1000, 2000, 2000);
	EXPECT_OK(setreuid(2000, -1));	/* real := euid; saved := euid */
	expect_uids(2000, 2000, 2000);
	EXPECT_ERRNO(setreuid(1000, -1), EPERM);
}

TEST(setreuid_rules_without_privilege)
{
	test_in_child(setreuid_rules);
}

static void setresuid_rules(void)
{
	EXPECT_OK(setresuid(1000, 2000, 3000));
	expect_uids(1000, 2000, 3000);
	EXPECT_OK(setresuid(3000, 1000, 2000));	/* a permutation is allowed */
	expect_uids(3000, 1000, 2000);
	EXPECT_ERRNO(setresuid(-1, 4000, -1), EPERM);
	EXPECT_OK(setresuid(-1, -1, -1));
	expect_uids(3000, 1000, 2000);
	EXPECT_OK(setuid(2000));	/* unprivileged: euid only, to the saved uid */
	expect_uids(3000, 2000, 2000);
}

TEST(setresuid_rules_without_privilege)
{
	test_in_child(setresuid_rules);
}

static void gid_rules(void)
{
	EXPECT_OK(setresgid(100, 200, 300));
	expect_gids(100, 200, 300);
	EXPECT_OK(setregid(-1, 300));
	expect_gids(100, 300, 300);
	EXPECT_OK(setgid(400));		/* still CAP_SETGID: all three */
	expect_gids(400, 400, 400);
	EXPECT_OK(setresgid(400, 500, 600));
	EXPECT_OK(setuid(1000));	/* no more CAP_SETGID */
	EXPECT_ERRNO(setresgid(700, -1, -1), EPERM);
	EXPECT_OK(setgid(600));		/* the saved gid: effective only */
	expect_gids(400, 600, 600);
	EXPECT_ERRNO(setregid(-1, 700), EPERM);
	EXPECT_EQ(setfsgid(-1), 600);
	EXPECT_EQ(setfsgid(700), 600);	/* refused: the old one back */
	EXPECT_EQ(setfsgid(-1), 600);
	EXPECT_EQ(setfsgid(400), 600);
	EXPECT_EQ(setfsgid(-1), 400);
}

TEST(setgid_family_rules)
{
	test_in_child(gid_rules);
}

/* setfsuid returns the old fsuid; leaving fsuid 0 drops the filesystem
 * capabilities from the effective set, coming back restores them. */
static void fsuid_caps(void)
{
	EXPECT_EQ(setfsuid(1000), 0);
	EXPECT_EQ(setfsuid(-1), 1000);
	expect_uids(0, 0, 0);
	struct caps c = get_caps();
	EXPECT_EQ(c.eff & BIT(CAP_DAC_OVERRIDE), 0);
	EXPECT_EQ(c.eff & BIT(CAP_CHOWN), 0);
	EXPECT_TRUE(c.eff & BIT(CAP_SETUID));
	char status[4096], *uid;
	ASSERT_TRUE(test_read_file("/proc/self/status", status, sizeof(status)) > 0);
	uid = strstr(status, "\nUid:");
	ASSERT_TRUE(uid != NULL);
	EXPECT_TRUE(strncmp(uid, "\nUid:\t0\t0\t0\t1000\n", 16) == 0);
	EXPECT_EQ(setfsuid(0), 1000);
	EXPECT_TRUE(get_caps().eff & BIT(CAP_DAC_OVERRIDE));
	/* A non-root process may set it only to one of its ids. */
	EXPECT_OK(setresuid(1000, 2000, 3000));
	EXPECT_EQ(setfsuid(4000), 2000);
	EXPECT_EQ(setfsuid(3000), 2000);
	EXPECT_EQ(setfsuid(-1), 3000);
}

TEST(setfsuid_returns_the_old_id_and_moves_fs_capabilities)
{
	test_in_child(fsuid_caps);
}

/* --- keepcaps and securebits --- */

static void keepcaps(void)
{
	EXPECT_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
	EXPECT_ERRNO(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
	EXPECT_OK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	EXPECT_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
	EXPECT_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), SECBIT_KEEP_CAPS);
	struct caps before = get_caps();
	EXPECT_OK(setresuid(1000, 1000, 1000));
	struct caps c = get_caps();
	EXPECT_EQ(c.perm, before.perm);	/* kept */
	EXPECT_EQ(c.eff, 0);		/* euid left 0 */
	/* Raising the effective set from the permitted one is allowed. */
	c.eff = BIT(CAP_SETUID);
	EXPECT_OK(set_caps(c));
	EXPECT_OK(setuid(0));		/* with CAP_SETUID again */
	expect_uids(0, 0, 0);
}

TEST(keepcaps_keeps_the_permitted_set_across_setuid)
{
	test_in_child(keepcaps);
}

static void securebits(void)
{
	EXPECT_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
	EXPECT_ERRNO(prctl(PR_SET_SECUREBITS, 1 << 20, 0, 0, 0), EPERM);
	EXPECT_OK(prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS_LOCKED, 0,
			0, 0));
	EXPECT_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0),
		  SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS_LOCKED);
	/* KEEP_CAPS is locked (at 0); the lock cannot be released. */
	EXPECT_ERRNO(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), EPERM);
	EXPECT_ERRNO(prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0), EPERM);
	/* No fixup: the capabilities survive leaving uid 0. */
	struct caps before = get_caps();
	EXPECT_OK(setresuid(1000, 1000, 1000));
	struct caps c = get_caps();
	EXPECT_EQ(c.eff, before.eff);
	EXPECT_EQ(c.perm, before.perm);
}

TEST(securebits_locks_and_no_setuid_fixup)
{
	test_in_child(securebits);
}

/* --- capget and capset --- */

TEST(capget_version_probe_writes_the_preferred_version)
{
	struct __user_cap_header_struct h = { 0, 0 };
	struct __user_cap_data_struct d[2];
	EXPECT_EQ(syscall(SYS_capget, &h, NULL), 0);
	EXPECT_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = 0x12345678;
	EXPECT_ERRNO(syscall(SYS_capget, &h, d), EINVAL);
	EXPECT_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = 0;
	EXPECT_ERRNO(syscall(SYS_capset, &h, d), EINVAL);
	EXPECT_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	EXPECT_ERRNO(syscall(SYS_capget, test_bad_ptr(), d), EFAULT);
}

TEST(capget_versions_and_targets)
{
	struct caps mine = get_caps();
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_1, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0xa5, sizeof(d));
	ASSERT_OK(syscall(SYS_capget, &h, d));
	EXPECT_EQ(d[0].effective, (uint32_t)mine.eff);
	EXPECT_EQ(d[1].effective, 0xa5a5a5a5);	/* v1: one struct only */
	h = (struct __user_cap_header_struct){ _LINUX_CAPABILITY_VERSION_2, 0 };
	ASSERT_OK(syscall(SYS_capget, &h, d));
	EXPECT_EQ(d[1].permitted, (uint32_t)(mine.perm >> 32));

	/* Another process's: readable, not settable. */
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	ASSERT_OK(child);
	h = (struct __user_cap_header_struct){ _LINUX_CAPABILITY_VERSION_3, child };
	EXPECT_OK(syscall(SYS_capget, &h, d));
	EXPECT_EQ(d[0].permitted, (uint32_t)mine.perm);
	EXPECT_ERRNO(syscall(SYS_capset, &h, d), EPERM);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	h.pid = -1;
	EXPECT_ERRNO(syscall(SYS_capget, &h, d), EINVAL);
	h.pid = 4194303;
	EXPECT_ERRNO(syscall(SYS_capget, &h, d), ESRCH);
}

static void capset_rules(void)
{
	struct caps c = get_caps();
	ASSERT_TRUE(c.perm & BIT(CAP_NET_RAW));
	struct caps want = c;
	want.eff &= ~BIT(CAP_NET_RAW);
	want.perm &= ~BIT(CAP_NET_RAW);
	EXPECT_OK(set_caps(want));
	struct caps now = get_caps();
	EXPECT_EQ(now.perm, want.perm);
	EXPECT_EQ(now.eff, want.eff);
	/* The permitted set cannot grow back; effective within permitted. */
	EXPECT_ERRNO(set_caps(c), EPERM);
	want.eff |= BIT(CAP_NET_RAW);
	EXPECT_ERRNO(set_caps(want), EPERM);
	/* The inheritable set may take what is permitted. */
	want = now;
	want.inh = BIT(CAP_SYS_BOOT);
	EXPECT_OK(set_caps(want));
	EXPECT_EQ(get_caps().inh, BIT(CAP_SYS_BOOT));
	/* Without CAP_SETPCAP, not what is neither inheritable nor permitted. */
	want.eff &= ~(BIT(CAP_SETPCAP) | BIT(CAP_SYS_BOOT));
	want.perm &= ~(BIT(CAP_SETPCAP) | BIT(CAP_SYS_BOOT));
	EXPECT_OK(set_caps(want));
	want.inh |= BIT(CAP_NET_RAW);
	EXPECT_ERRNO(set_caps(want), EPERM);
}

TEST(capset_may_only_shrink)
{
	test_in_child(capset_rules);
}

/* --- the bounding and ambient sets --- */

static void bounding(void)
{
	EXPECT_EQ(prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0), 1);
	EXPECT_OK(prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0));
	EXPECT_EQ(prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0), 0);
	EXPECT_ERRNO(prctl(PR_CAPBSET_DROP, CAP_LAST_CAP + 1, 0, 0, 0), EINVAL);
	char status[4096], *bnd;
	ASSERT_TRUE(test_read_file("/proc/self/status", status, sizeof(status)) > 0);
	ASSERT_TRUE((bnd = strstr(status, "CapBnd:\t")) != NULL);
	EXPECT_EQ(strtoull(bnd + 8, NULL, 16) & BIT(CAP_SYS_BOOT), 0);
	/* Without CAP_SETPCAP in the effective set: EPERM. */
	struct caps c = get_caps();
	c.eff &= ~BIT(CAP_SETPCAP);
	ASSERT_OK(set_caps(c));
	EXPECT_ERRNO(prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0), EPERM);
}

TEST(capbset_drop)
{
	test_in_child(bounding);
}

static void ambient(void)
{
	EXPECT_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 0);
	/* Raising needs the capability permitted and inheritable. */
	EXPECT_ERRNO(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0), EPERM);
	struct caps c = get_caps();
	c.inh |= BIT(CAP_NET_RAW);
	ASSERT_OK(set_caps(c));
	EXPECT_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0));
	EXPECT_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 1);
	char status[4096], *amb;
	ASSERT_TRUE(test_read_file("/proc/self/status", status, sizeof(status)) > 0);
	ASSERT_TRUE((amb = strstr(status, "CapAmb:\t")) != NULL);
	EXPECT_EQ(strtoull(amb + 8, NULL, 16), BIT(CAP_NET_RAW));
	EXPECT_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_NET_RAW, 0, 0));
	EXPECT_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 0);
	EXPECT_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0));
	/* Dropping it from the inheritable set drops it from the ambient. */
	c.inh &= ~BIT(CAP_NET_RAW);
	ASSERT_OK(set_caps(c));
	EXPECT_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 0);
	EXPECT_ERRNO(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
	EXPECT_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	EXPECT_ERRNO(prctl(PR_CAP_AMBIENT, 99, 0, 0, 0), EINVAL);
	EXPECT_ERRNO(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_LAST_CAP + 1, 0, 0), EINVAL);
	EXPECT_ERRNO(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 0, 1, 0), EINVAL);
}

TEST(cap_ambient_raise_lower_and_clear)
{
	test_in_child(ambient);
}

/* --- execve --- */

/* Run by exec_recomputes_capabilities in a re-executed copy of this
 * program (CREDS_PROBE says what to expect); skipped otherwise. */
TEST(exec_probe)
{
	const char *probe = getenv("CREDS_PROBE");
	if (!probe)
		SKIP("only run by execve tests");
	struct caps c = get_caps();
	EXPECT_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);	/* cleared by execve */
	expect_uids(1000, 1000, 1000);
	if (!strcmp(probe, "none")) {
		EXPECT_EQ(c.perm, 0);
		EXPECT_EQ(c.eff, 0);
	} else {	/* "ambient": the ambient set becomes permitted and effective */
		EXPECT_EQ(c.perm, BIT(CAP_NET_RAW));
		EXPECT_EQ(c.eff, BIT(CAP_NET_RAW));
		EXPECT_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0), 1);
	}
}

static const char *exec_probe_kind;

static void exec_as_user(void)
{
	ASSERT_OK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	ASSERT_OK(setresuid(1000, 1000, 1000));
	EXPECT_TRUE(get_caps().perm != 0);	/* kept until execve */
	if (!strcmp(exec_probe_kind, "ambient")) {
		struct caps c = get_caps();
		c.inh = BIT(CAP_NET_RAW);
		ASSERT_OK(set_caps(c));
		ASSERT_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0));
	}
	setenv("CREDS_PROBE", exec_probe_kind, 1);
	char *argv[] = { "creds", "exec_probe", NULL };
	execv("/proc/self/exe", argv);
	EXPECT_TRUE(false);	/* execv failed */
}

/* execve of a file without capabilities by a non-root process: the
 * permitted and effective sets become the ambient set, and keepcaps
 * is cleared. */
TEST(exec_recomputes_capabilities)
{
	exec_probe_kind = "none";
	test_in_child(exec_as_user);
	exec_probe_kind = "ambient";
	test_in_child(exec_as_user);
}
