/* System V message queues: msgsnd/msgrcv with message types (0, > 0,
 * < 0, MSG_EXCEPT), MSG_NOERROR and E2BIG, IPC_NOWAIT, blocking both ways,
 * EINTR after a handler, EIDRM on removal, msgctl's commands and
 * /proc/sysvipc/msg. Every queue is IPC_PRIVATE and removed at exit even
 * after a failure. */
#include "test.h"

#include <sys/ipc.h>
#include <sys/msg.h>

struct msgbuf_k {
	long mtype;
	char mtext[64];
};

static void remove_queue(int id)
{
	msgctl(id, IPC_RMID, NULL);
}

static int new_queue(int mode)
{
	return test_remove_at_exit(remove_queue, msgget(IPC_PRIVATE, IPC_CREAT | mode));
}

static int send(int id, long type, const char *text, int flags)
{
	struct msgbuf_k m = { .mtype = type };
	size_t len = strlen(text);
	memcpy(m.mtext, text, len);
	return msgsnd(id, &m, len, flags);
}

/* Receives into M (NUL-terminated); returns msgrcv's result. */
static ssize_t recv_msg(int id, struct msgbuf_k *m, size_t size, long type, int flags)
{
	memset(m, 0, sizeof(*m));
	return msgrcv(id, m, size, type, flags);
}

static struct msqid_ds stat_of(int id)
{
	struct msqid_ds ds;
	memset(&ds, 0xff, sizeof(ds));
	msgctl(id, IPC_STAT, &ds);
	return ds;
}

static void on_signal(int sig)
{
	(void)sig;
}

TEST(send_receive_and_stat)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	struct msqid_ds ds = stat_of(id);
	EXPECT_EQ(ds.msg_qnum, 0);
	EXPECT_EQ(ds.msg_perm.mode, 0600);
	char buf[32];
	ASSERT_GE(test_read_file("/proc/sys/kernel/msgmnb", buf, sizeof(buf)), 0);
	EXPECT_EQ(ds.msg_qbytes, strtoul(buf, NULL, 10));
	EXPECT_EQ(ds.msg_stime, 0);

	EXPECT_OK(send(id, 1, "hello", 0));
	EXPECT_OK(send(id, 2, "", 0));
	ds = stat_of(id);
	EXPECT_EQ(ds.msg_qnum, 2);
	EXPECT_EQ(ds.__msg_cbytes, 5);
	EXPECT_EQ(ds.msg_lspid, getpid());
	EXPECT_NE(ds.msg_stime, 0);
	struct msgbuf_k m;
	EXPECT_EQ(recv_msg(id, &m, sizeof(m.mtext), 0, 0), 5);
	EXPECT_EQ(m.mtype, 1);
	EXPECT_STREQ(m.mtext, "hello");
	EXPECT_EQ(recv_msg(id, &m, sizeof(m.mtext), 0, 0), 0);
	EXPECT_EQ(m.mtype, 2);
	ds = stat_of(id);
	EXPECT_EQ(ds.msg_qnum, 0);
	EXPECT_EQ(ds.msg_lrpid, getpid());
	EXPECT_NE(ds.msg_rtime, 0);
}

TEST(types)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	EXPECT_OK(send(id, 3, "three", 0));
	EXPECT_OK(send(id, 1, "one", 0));
	EXPECT_OK(send(id, 2, "two", 0));
	EXPECT_OK(send(id, 5, "five", 0));
	EXPECT_OK(send(id, 1, "uno", 0));
	struct msgbuf_k m;
	EXPECT_EQ(recv_msg(id, &m, 64, 2, 0), 3);
	EXPECT_STREQ(m.mtext, "two");
	/* < 0: the first of the lowest type up to |type|. */
	EXPECT_EQ(recv_msg(id, &m, 64, -4, 0), 3);
	EXPECT_STREQ(m.mtext, "one");
	/* MSG_EXCEPT: the first of another type. */
	EXPECT_EQ(recv_msg(id, &m, 64, 3, MSG_EXCEPT), 4);
	EXPECT_STREQ(m.mtext, "five");
	EXPECT_ERRNO(recv_msg(id, &m, 64, 4, IPC_NOWAIT), ENOMSG);
	EXPECT_EQ(recv_msg(id, &m, 64, -2, 0), 3);
	EXPECT_STREQ(m.mtext, "uno");
	EXPECT_ERRNO(recv_msg(id, &m, 64, -2, IPC_NOWAIT), ENOMSG);
	EXPECT_ERRNO(recv_msg(id, &m, 64, 3, MSG_EXCEPT | IPC_NOWAIT), ENOMSG);
	EXPECT_EQ(recv_msg(id, &m, 64, 0, 0), 5);
	EXPECT_STREQ(m.mtext, "three");
	EXPECT_ERRNO(recv_msg(id, &m, 64, 0, IPC_NOWAIT), ENOMSG);
}

/* MSG_COPY (for checkpointing): a copy of the message at an index. */
TEST(msg_copy)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	EXPECT_OK(send(id, 4, "first", 0));
	EXPECT_OK(send(id, 9, "second", 0));
	struct msgbuf_k m;
	ssize_t n = recv_msg(id, &m, 64, 1, MSG_COPY | IPC_NOWAIT);
	if (n < 0 && errno == ENOSYS)
		SKIP("kernel without CONFIG_CHECKPOINT_RESTORE");
	EXPECT_EQ(n, 6);
	EXPECT_EQ(m.mtype, 9);
	EXPECT_STREQ(m.mtext, "second");
	EXPECT_EQ(stat_of(id).msg_qnum, 2);
	EXPECT_ERRNO(recv_msg(id, &m, 64, 2, MSG_COPY | IPC_NOWAIT), ENOMSG);
	EXPECT_ERRNO(recv_msg(id, &m, 2, 0, MSG_COPY | IPC_NOWAIT), E2BIG);
	EXPECT_ERRNO(recv_msg(id, &m, 64, 0, MSG_COPY), EINVAL);
	EXPECT_ERRNO(recv_msg(id, &m, 64, 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT), EINVAL);
}

TEST(sizes_and_errors)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	EXPECT_OK(send(id, 1, "0123456789", 0));
	struct msgbuf_k m;
	/* Too big: E2BIG, and the message stays. */
	EXPECT_ERRNO(recv_msg(id, &m, 4, 0, 0), E2BIG);
	EXPECT_EQ(stat_of(id).msg_qnum, 1);
	EXPECT_EQ(recv_msg(id, &m, 4, 0, MSG_NOERROR), 4);
	EXPECT_STREQ(m.mtext, "0123");
	EXPECT_EQ(stat_of(id).msg_qnum, 0);

	EXPECT_ERRNO(send(id, 0, "x", 0), EINVAL);
	EXPECT_ERRNO(send(id, -1, "x", 0), EINVAL);
	EXPECT_ERRNO(msgsnd(id, &m, (size_t)-1, 0), EINVAL);
	char buf[32];
	ASSERT_GE(test_read_file("/proc/sys/kernel/msgmax", buf, sizeof(buf)), 0);
	size_t msgmax = strtoul(buf, NULL, 10);
	char *big = calloc(1, sizeof(long) + msgmax + 1);
	ASSERT_TRUE(big != NULL);
	*(long *)big = 1;
	EXPECT_ERRNO(msgsnd(id, big, msgmax + 1, 0), EINVAL);
	EXPECT_OK(msgsnd(id, big, msgmax, 0));
	EXPECT_EQ(msgrcv(id, big, msgmax, 0, 0), (ssize_t)msgmax);
	free(big);
	EXPECT_ERRNO(msgsnd(id, test_bad_ptr(), 1, 0), EFAULT);
	EXPECT_ERRNO(msgrcv(id, &m, (size_t)-1, 0, 0), EINVAL);
	EXPECT_ERRNO(send(-1, 1, "x", 0), EINVAL);
	/* The type is read before the other checks. */
	EXPECT_ERRNO(msgsnd(-1, test_bad_ptr(), msgmax + 1, 0), EFAULT);
	EXPECT_ERRNO(recv_msg(id + 1, &m, 4, 0, 0), EINVAL);
	EXPECT_ERRNO(msgctl(id, 999, NULL), EINVAL);
	/* A bad buffer loses the message, as Linux's. */
	EXPECT_OK(send(id, 1, "lost", 0));
	EXPECT_ERRNO(msgrcv(id, test_bad_ptr(), 64, 0, 0), EFAULT);
	EXPECT_EQ(stat_of(id).msg_qnum, 0);
}

TEST(blocking_receive)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		struct msgbuf_k m;
		EXPECT_EQ(recv_msg(id, &m, 64, 7, 0), 5);
		EXPECT_STREQ(m.mtext, "seven");
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_OK(send(id, 6, "six", 0));
	EXPECT_OK(send(id, 7, "seven", 0));
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(stat_of(id).msg_qnum, 1);
	EXPECT_EQ(stat_of(id).msg_lrpid, pid);
}

TEST(blocking_send_when_full)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	struct msqid_ds ds = stat_of(id);
	ds.msg_qbytes = 8;
	EXPECT_OK(msgctl(id, IPC_SET, &ds));
	EXPECT_EQ(stat_of(id).msg_qbytes, 8);
	EXPECT_OK(send(id, 1, "12345678", 0));
	EXPECT_ERRNO(send(id, 1, "x", IPC_NOWAIT), EAGAIN);
	pid_t pid = test_fork();
	if (pid == 0) {
		EXPECT_OK(send(id, 2, "abc", 0));
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_EQ(stat_of(id).msg_qnum, 1);
	struct msgbuf_k m;
	EXPECT_EQ(recv_msg(id, &m, 64, 0, 0), 8);
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_EQ(recv_msg(id, &m, 64, 0, 0), 3);
	EXPECT_STREQ(m.mtext, "abc");
	/* The count of messages is bounded by qbytes too. */
	for (int i = 0; i < 8; i++)
		EXPECT_OK(send(id, 1, "", 0));
	EXPECT_ERRNO(send(id, 1, "", IPC_NOWAIT), EAGAIN);
}

/* msgrcv and msgsnd are not restarted after a handler. */
TEST(signal_interrupts_with_eintr)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART }, old;
	ASSERT_OK(sigaction(SIGUSR1, &sa, &old));
	/* A timer's SIGUSR1, leaving SIGALRM to the harness's time limit. */
	timer_t timer;
	ASSERT_OK(test_signal_after_ms(SIGUSR1, 50, &timer));
	struct msgbuf_k m;
	EXPECT_ERRNO(recv_msg(id, &m, 64, 0, 0), EINTR);
	/* A full queue's sender too. */
	struct msqid_ds ds = stat_of(id);
	ds.msg_qbytes = 1;
	EXPECT_OK(msgctl(id, IPC_SET, &ds));
	EXPECT_OK(send(id, 1, "x", 0));
	struct itimerspec its = test_itimerspec_ms(50, 0);
	EXPECT_OK(timer_settime(timer, 0, &its, NULL));
	EXPECT_ERRNO(send(id, 1, "y", 0), EINTR);
	timer_delete(timer);
	sigaction(SIGUSR1, &old, NULL);
}

/* Without a handler, a stop and continue restart msgrcv (ERESTARTNOHAND). */
TEST(stop_and_continue_restart)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		struct msgbuf_k m;
		EXPECT_EQ(recv_msg(id, &m, 64, 0, 0), 4);
		EXPECT_STREQ(m.mtext, "wake");
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_OK(kill(pid, SIGSTOP));
	int status = test_wait(pid, WUNTRACED);
	EXPECT_TRUE(WIFSTOPPED(status));
	EXPECT_OK(kill(pid, SIGCONT));
	test_sleep_ms(20);
	test_wait_state(pid, 'S');
	EXPECT_OK(send(id, 1, "wake", 0));
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(removal_wakes_with_eidrm)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	pid_t pid = test_fork();
	if (pid == 0) {
		struct msgbuf_k m;
		EXPECT_ERRNO(recv_msg(id, &m, 64, 0, 0), EIDRM);
		test_child_exit();
	}
	test_wait_state(pid, 'S');
	EXPECT_OK(msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(test_wait(pid, 0), 0);
	EXPECT_ERRNO(msgctl(id, IPC_STAT, &(struct msqid_ds){ 0 }), EINVAL);
}

TEST(info_and_stat_commands)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	EXPECT_OK(send(id, 1, "abc", 0));
	struct msginfo mi;
	EXPECT_GE(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi), id % 32768);
	char buf[32];
	ASSERT_GE(test_read_file("/proc/sys/kernel/msgmni", buf, sizeof(buf)), 0);
	EXPECT_EQ(mi.msgmni, atoi(buf));
	ASSERT_GE(test_read_file("/proc/sys/kernel/msgmax", buf, sizeof(buf)), 0);
	EXPECT_EQ(mi.msgmax, atoi(buf));
	EXPECT_EQ(mi.msgssz, 16);
	EXPECT_GE(msgctl(0, MSG_INFO, (struct msqid_ds *)&mi), id % 32768);
	EXPECT_GE(mi.msgpool, 1);	/* MSG_INFO: queues in use */
	EXPECT_GE(mi.msgmap, 1);	/* messages */
	EXPECT_GE(mi.msgtql, 3);	/* bytes */
	struct msqid_ds ds;
	EXPECT_EQ(msgctl(id % 32768, MSG_STAT, &ds), id);
	EXPECT_EQ(ds.msg_qnum, 1);
	EXPECT_EQ(msgctl(id % 32768, MSG_STAT_ANY, &ds), id);
	EXPECT_ERRNO(msgctl(id, IPC_STAT, test_bad_ptr()), EFAULT);
	EXPECT_ERRNO(msgctl(id, IPC_SET, test_bad_ptr()), EFAULT);
}

TEST(permissions)
{
	if (geteuid() != 0)
		SKIP("needs root to become another user");
	int id = new_queue(0602);
	ASSERT_OK(id);
	EXPECT_OK(send(id, 1, "x", 0));
	pid_t pid = test_fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		struct msgbuf_k m;
		EXPECT_ERRNO(recv_msg(id, &m, 64, 0, IPC_NOWAIT), EACCES);
		EXPECT_OK(send(id, 1, "y", 0));
		EXPECT_ERRNO(msgctl(id, IPC_STAT, &(struct msqid_ds){ 0 }), EACCES);
		EXPECT_ERRNO(msgctl(id, IPC_RMID, NULL), EPERM);
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
	/* Raising qbytes past msgmnb needs CAP_SYS_RESOURCE. */
	pid = test_fork();
	if (pid == 0) {
		struct msqid_ds ds = stat_of(id);
		ds.msg_qbytes += 1;
		if (setgid(65534) || setuid(65534))
			_exit(2);
		EXPECT_ERRNO(msgctl(id, IPC_SET, &ds), EPERM);
		test_child_exit();
	}
	EXPECT_EQ(test_wait(pid, 0), 0);
}

TEST(proc_sysvipc_msg)
{
	int id = new_queue(0600);
	ASSERT_OK(id);
	EXPECT_OK(send(id, 1, "abcd", 0));
	static char text[1 << 16];
	ASSERT_GE(test_read_file("/proc/sysvipc/msg", text, sizeof(text)), 0);
	EXPECT_TRUE(strncmp(text, "       key      msqid perms      cbytes       qnum lspid lrpid"
			    "   uid   gid  cuid  cgid      stime      rtime      ctime\n",
			    112) == 0);
	char want[128];
	snprintf(want, sizeof(want), "\n         0 %10d   600           4          1 %5d     0 ",
		 id, getpid());
	EXPECT_TRUE(strstr(text, want) != NULL);
}
