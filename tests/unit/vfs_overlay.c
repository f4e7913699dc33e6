/* hostfs and overlay against a temporary host directory: confinement of
 * symlinks and "..", read-only hostfs, copy-up, whiteouts, opaque
 * directories, merged readdir and stable inode numbers. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfs_test.h"

static char top[] = "/tmp/cvisor-vfs-XXXXXX";

static void host_put(const char *rel, const char *data)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	FILE *f = fopen(path, "w");
	if (!f) {
		printf("FAIL setup %s\n", path);
		exit(1);
	}
	fputs(data, f);
	fclose(f);
}

static void host_mkdir(const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	mkdir(path, 0755);
}

static void host_symlink(const char *target, const char *rel)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	if (symlink(target, path)) {
		printf("FAIL setup symlink %s\n", path);
		exit(1);
	}
}

static const char *host_get(const char *rel)
{
	static char buf[256];
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	FILE *f = fopen(path, "r");
	if (!f)
		return "<absent>";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct super_block *new_hostfs(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/root", top);
	return hostfs_new(&test_kernel, open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
}

static uint64_t ino_of(const struct walk_base *wb, const char *name)
{
	struct path p;
	struct kstat st = { 0 };
	if (vfs_lookup(wb, name, 0, &p))
		return 0;
	vfs_getattr(&p, &st);
	path_put(&p);
	return st.ino;
}

static void test_hostfs_readonly(void)
{
	struct mount_ns *ns = mount_ns_new(new_hostfs(), 0, "host");
	sb_put(ns->root->sb);
	int err;
	struct fs_context *fs = fs_context_new(ns, "/", &err);
	struct walk_base wb = { .fs = fs, .cr = &root_creds };
	char buf[256];
	struct file *f;

	CHECK_EQ(get_file(&wb, "/etc/passwd", buf, sizeof(buf)), 11);
	/* Symlinks out of the root resolve inside it. */
	CHECK_EQ(get_file(&wb, "/abs", buf, sizeof(buf)), 11);
	CHECK(strcmp(buf, "root-inside") == 0);
	CHECK_EQ(get_file(&wb, "/rel", buf, sizeof(buf)), 11);
	CHECK(strcmp(buf, "root-inside") == 0);
	CHECK_EQ(get_file(&wb, "/escape", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(get_file(&wb, "/../../secret", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(get_file(&wb, "/updir/../../secret", buf, sizeof(buf)), -ENOENT);
	CHECK(strcmp(list_dir(&wb, "/updir/.."), list_dir(&wb, "/")) == 0);
	CHECK_EQ(vfs_mkdir(&wb, "/new", 0755), -EROFS);
	CHECK_EQ(vfs_open(&wb, "/etc/passwd", O_WRONLY, 0, &f), -EROFS);
	CHECK_EQ(vfs_unlink(&wb, "/etc/passwd"), -EROFS);
	CHECK(strcmp(list_dir(&wb, "/etc"), "group passwd") == 0);
	fs_context_put(fs);
	mount_ns_put(ns);
}

static void test_overlay(void)
{
	struct super_block *sb = overlay_new(&test_kernel, tmpfs_new(&test_kernel, 0755),
					     new_hostfs());
	struct mount_ns *ns = mount_ns_new(sb, 0, "overlay");
	sb_put(sb);
	int err;
	struct fs_context *fs = fs_context_new(ns, "/etc", &err);
	CHECK(fs && !err);
	struct walk_base wb = { .fs = fs, .cr = &root_creds };
	char buf[256];

	CHECK_EQ(get_file(&wb, "passwd", buf, sizeof(buf)), 11);
	uint64_t ino = ino_of(&wb, "/etc/passwd");
	CHECK(ino != 0);
	CHECK_EQ(get_file(&wb, "/rel", buf, sizeof(buf)), 11);
	CHECK_EQ(get_file(&wb, "/escape", buf, sizeof(buf)), -ENOENT);

	/* Copy-up: the sandbox sees its writes, the host never does. */
	CHECK_EQ(put_file(&wb, "/etc/passwd", "changed"), 0);
	CHECK_EQ(get_file(&wb, "/etc/passwd", buf, sizeof(buf)), 7);
	CHECK(strcmp(host_get("root/etc/passwd"), "root-inside") == 0);
	CHECK_EQ(ino_of(&wb, "/etc/passwd"), ino);
	CHECK_EQ(put_file(&wb, "/etc/new", "n"), 0);
	CHECK(strcmp(host_get("root/etc/new"), "<absent>") == 0);
	CHECK(strcmp(list_dir(&wb, "/etc"), "group new passwd") == 0);

	/* Whiteouts. */
	CHECK_EQ(vfs_unlink(&wb, "/etc/group"), 0);
	CHECK_EQ(get_file(&wb, "/etc/group", buf, sizeof(buf)), -ENOENT);
	CHECK(strcmp(list_dir(&wb, "/etc"), "new passwd") == 0);
	CHECK(strcmp(host_get("root/etc/group"), "g") == 0);
	CHECK_EQ(put_file(&wb, "/etc/group", "again"), 0);
	CHECK_EQ(get_file(&wb, "/etc/group", buf, sizeof(buf)), 5);

	/* Directories: non-empty merged, then opaque after recreation. */
	CHECK_EQ(vfs_rmdir(&wb, "/data"), -ENOTEMPTY);
	CHECK_EQ(vfs_unlink(&wb, "/data/a"), 0);
	CHECK_EQ(vfs_unlink(&wb, "/data/b"), 0);
	CHECK(strcmp(list_dir(&wb, "/data"), "") == 0);
	CHECK_EQ(vfs_rmdir(&wb, "/data"), 0);
	CHECK_EQ(vfs_mkdir(&wb, "/data", 0755), 0);
	CHECK(strcmp(list_dir(&wb, "/data"), "") == 0);
	CHECK_EQ(get_file(&wb, "/data/a", buf, sizeof(buf)), -ENOENT);
	CHECK(strcmp(host_get("root/data/a"), "a") == 0);

	/* Rename: files move with a whiteout behind; lower dirs are EXDEV. */
	CHECK_EQ(vfs_rename(&wb, "/etc/passwd", &wb, "/moved", 0), 0);
	CHECK_EQ(get_file(&wb, "/moved", buf, sizeof(buf)), 7);
	CHECK_EQ(get_file(&wb, "/etc/passwd", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(ino_of(&wb, "/moved"), ino);
	CHECK_EQ(vfs_rename(&wb, "/etc", &wb, "/etc2", 0), -EXDEV);
	CHECK_EQ(vfs_mkdir(&wb, "/fresh", 0755), 0);
	CHECK_EQ(vfs_rename(&wb, "/fresh", &wb, "/fresh2", 0), 0);
	CHECK_EQ(vfs_link(&wb, "/updir/f", &wb, "/updir/f2", 0), 0);
	CHECK_EQ(get_file(&wb, "/updir/f2", buf, sizeof(buf)), 1);
	CHECK(strcmp(list_dir(&wb, "/"), "abs data escape etc fresh2 moved rel updir") == 0);

	/* chmod copies up metadata only where asked. */
	struct path p;
	CHECK_EQ(vfs_lookup(&wb, "/rel", 0, &p), 0);
	struct kstat st;
	CHECK_EQ(vfs_getattr(&p, &st), 0);
	CHECK(S_ISLNK(st.mode));
	path_put(&p);
	CHECK_EQ(vfs_lookup(&wb, "/updir", 0, &p), 0);
	struct iattr ia = { .valid = ATTR_MODE, .mode = 0700 };
	CHECK_EQ(vfs_setattr(&p, &ia, &root_creds), 0);
	CHECK_EQ(vfs_getattr(&p, &st), 0);
	CHECK_EQ(st.mode & 07777, 0700);
	path_put(&p);

	fs_context_put(fs);
	mount_ns_put(ns);
}

static void test_build_root(void)
{
	char path[512], errbuf[256], buf[64];
	struct file *f;
	int err;

	CHECK(vfs_build_root(&test_kernel, "/nonexistent-cvisor", true, errbuf, sizeof(errbuf)) == NULL);
	CHECK(strstr(errbuf, "/nonexistent-cvisor") != NULL);
	snprintf(path, sizeof(path), "%s/root", top);
	struct mount_ns *ns = vfs_build_root(&test_kernel, path, true, errbuf, sizeof(errbuf));
	CHECK(ns != NULL);
	if (!ns)
		return;
	struct fs_context *fs = fs_context_new(ns, "/", &err);
	struct walk_base wb = { .fs = fs, .cr = &root_creds };
	CHECK(strcmp(list_dir(&wb, "/dev"), "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero") == 0);
	CHECK_EQ(get_file(&wb, "/dev/null", buf, sizeof(buf)), 0);
	CHECK_EQ(put_file(&wb, "/dev/null", "gone"), 0);
	CHECK_EQ(vfs_open(&wb, "/dev/zero", O_RDONLY, 0, &f), 0);
	memset(buf, 1, 8);
	CHECK_EQ(vfs_kernel_read(f, buf, 8, 0), 8);
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
	file_put(f);
	CHECK_EQ(put_file(&wb, "/dev/full", "x"), -ENOSPC);
	CHECK_EQ(vfs_readlink(&wb, "/dev/stdin", buf, sizeof(buf)), 15);
	CHECK_EQ(put_file(&wb, "/dev/shm/seg", "shared"), 0);
	CHECK_EQ(get_file(&wb, "/dev/shm/seg", buf, sizeof(buf)), 6);
	CHECK_EQ(vfs_rename(&wb, "/dev/shm/seg", &wb, "/seg", 0), -EXDEV);
	struct path p;
	CHECK_EQ(vfs_lookup(&wb, "/dev/shm/seg", 0, &p), 0);
	CHECK_EQ(vfs_d_path(&p, &fs->root, path, sizeof(path)), 12);
	CHECK(strcmp(path, "/dev/shm/seg") == 0);
	path_put(&p);
	CHECK_EQ(vfs_open(&wb, "/dev/shm/seg", O_RDONLY, 0, &f), 0);
	CHECK_EQ(vfs_getattr(&f->path, &(struct kstat){ 0 }), 0);
	file_put(f);
	fs_context_put(fs);
	mount_ns_put(ns);
}

int main(void)
{
	test_kernel_init();
	if (!mkdtemp(top)) {
		printf("FAIL mkdtemp\n");
		return 1;
	}
	host_put("secret", "host-secret");
	host_mkdir("root");
	host_mkdir("root/etc");
	host_put("root/etc/passwd", "root-inside");
	host_put("root/etc/group", "g");
	host_mkdir("root/data");
	host_put("root/data/a", "a");
	host_put("root/data/b", "b");
	host_mkdir("root/updir");
	host_put("root/updir/f", "f");
	host_symlink("/etc/passwd", "root/abs");
	host_symlink("../../../etc/passwd", "root/rel");
	host_symlink("../secret", "root/escape");

	test_hostfs_readonly();
	test_overlay();
	test_build_root();

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd) != 0)
		printf("warning: could not remove %s\n", top);
	return test_finish("vfs_overlay");
}
