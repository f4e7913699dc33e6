/* tmpfs and the path walk: files, directories, symlinks (and ELOOP),
 * ".." at the root, rename, link, unlink, truncate, readdir. */
#include "vfs_test.h"

int main(void)
{
	test_kernel_init();
	struct super_block *sb = tmpfs_new(&test_kernel, 0755);
	struct mount_ns *ns = mount_ns_new(sb, 0, "tmpfs");
	sb_put(sb);
	int err;
	struct fs_context *fs = fs_context_new(ns, "/", &err);
	CHECK(fs && !err);
	struct walk_base wb = { .fs = fs, .cr = &root_creds };
	char buf[8192];

	/* Files and directories. */
	CHECK_EQ(vfs_mkdir(&wb, "/a", 0755), 0);
	CHECK_EQ(vfs_mkdir(&wb, "/a", 0755), -EEXIST);
	CHECK_EQ(vfs_mkdir(&wb, "/a/b/", 0755), 0);
	CHECK_EQ(vfs_mkdir(&wb, "/nope/b", 0755), -ENOENT);
	CHECK_EQ(put_file(&wb, "/a/f", "hello"), 0);
	CHECK_EQ(get_file(&wb, "/a/f", buf, sizeof(buf)), 5);
	CHECK(strcmp(buf, "hello") == 0);
	CHECK_EQ(get_file(&wb, "/a/f/", buf, sizeof(buf)), -ENOTDIR);
	CHECK_EQ(vfs_mkdir(&wb, "/a/f/x", 0755), -ENOTDIR);
	CHECK_EQ(put_file(&wb, "/a/b/g", "x"), 0);
	CHECK(strcmp(list_dir(&wb, "/a"), "b f") == 0);

	struct file *f;
	CHECK_EQ(vfs_open(&wb, "/a/f", O_CREAT | O_EXCL | O_WRONLY, 0644, &f), -EEXIST);
	CHECK_EQ(vfs_open(&wb, "/a", O_WRONLY, 0, &f), -EISDIR);
	CHECK_EQ(vfs_open(&wb, "/a/f", O_RDONLY | O_DIRECTORY, 0, &f), -ENOTDIR);
	CHECK_EQ(vfs_open(&wb, "/a/new/", O_CREAT | O_WRONLY, 0644, &f), -EISDIR);
	CHECK_EQ(vfs_open(&wb, "/a/b", O_CREAT | O_RDONLY, 0644, &f), -EISDIR);

	/* Sparse write, truncate, stat. */
	CHECK_EQ(vfs_open(&wb, "/a/sparse", O_CREAT | O_RDWR, 0600, &f), 0);
	CHECK_EQ(vfs_kernel_write(f, "end", 3, 1 << 20), 3);
	struct kstat st;
	CHECK_EQ(vfs_getattr(&f->path, &st), 0);
	CHECK_EQ(st.size, (1 << 20) + 3);
	CHECK_EQ(st.blocks, 8);
	CHECK_EQ(vfs_kernel_read(f, buf, 4, 100), 4);
	CHECK(memcmp(buf, "\0\0\0\0", 4) == 0);
	CHECK_EQ(vfs_truncate(&f->path, (1 << 20) + 1, &root_creds), 0);
	CHECK_EQ(vfs_truncate(&f->path, (1 << 20) + 3, &root_creds), 0);
	CHECK_EQ(vfs_kernel_read(f, buf, 8, 1 << 20), 3);
	CHECK(memcmp(buf, "e\0\0", 3) == 0);
	file_put(f);

	/* Symlinks: relative, absolute, loops, dangling with O_CREAT. */
	CHECK_EQ(vfs_symlink(&wb, "b/g", "/a/lg"), 0);
	CHECK_EQ(get_file(&wb, "/a/lg", buf, sizeof(buf)), 1);
	CHECK_EQ(vfs_symlink(&wb, "/a/b", "/lb"), 0);
	CHECK_EQ(get_file(&wb, "/lb/g", buf, sizeof(buf)), 1);
	CHECK_EQ(vfs_symlink(&wb, "loop2", "/loop1"), 0);
	CHECK_EQ(vfs_symlink(&wb, "loop1", "/loop2"), 0);
	CHECK_EQ(get_file(&wb, "/loop1", buf, sizeof(buf)), -ELOOP);
	CHECK_EQ(vfs_open(&wb, "/lb", O_RDONLY | O_NOFOLLOW, 0, &f), -ELOOP);
	CHECK_EQ(vfs_symlink(&wb, "created", "/dangling"), 0);
	CHECK_EQ(put_file(&wb, "/dangling", "via link"), 0);
	CHECK_EQ(get_file(&wb, "/created", buf, sizeof(buf)), 8);
	CHECK_EQ(vfs_readlink(&wb, "/dangling", buf, sizeof(buf)), 7);
	/* A chain of 40 links resolves; 41 is ELOOP. */
	CHECK_EQ(vfs_symlink(&wb, "/created", "/c0"), 0);
	for (int i = 1; i <= 40; i++) {
		char name[16], target[16];
		snprintf(name, sizeof(name), "/c%d", i);
		snprintf(target, sizeof(target), "c%d", i - 1);
		CHECK_EQ(vfs_symlink(&wb, target, name), 0);
	}
	CHECK_EQ(get_file(&wb, "/c39", buf, sizeof(buf)), 8);
	CHECK_EQ(get_file(&wb, "/c40", buf, sizeof(buf)), -ELOOP);

	/* ".." never leaves the root, even through symlinks. */
	CHECK_EQ(get_file(&wb, "/../../a/f", buf, sizeof(buf)), 5);
	CHECK_EQ(vfs_symlink(&wb, "../../../../a", "/a/b/up"), 0);
	CHECK_EQ(get_file(&wb, "/a/b/up/f", buf, sizeof(buf)), 5);
	struct path p;
	CHECK_EQ(vfs_lookup(&wb, "/a/b/../..", LOOKUP_FOLLOW, &p), 0);
	CHECK_EQ(vfs_d_path(&p, &(struct path){ ns->root, ns->root->root }, buf, sizeof(buf)), 1);
	CHECK(strcmp(buf, "/") == 0);
	path_put(&p);

	/* Name limits. */
	char longname[300];
	memset(longname, 'x', 257);
	longname[0] = '/';
	longname[257] = '\0';
	CHECK_EQ(vfs_mkdir(&wb, longname, 0755), -ENAMETOOLONG);

	/* Rename, exchange, link, unlink, rmdir. */
	CHECK_EQ(vfs_rename(&wb, "/a/f", &wb, "/a/b/f2", 0), 0);
	CHECK_EQ(get_file(&wb, "/a/b/f2", buf, sizeof(buf)), 5);
	CHECK_EQ(get_file(&wb, "/a/f", buf, sizeof(buf)), -ENOENT);
	CHECK_EQ(vfs_rename(&wb, "/a", &wb, "/a/b/c", 0), -EINVAL);
	CHECK_EQ(vfs_rename(&wb, "/a/b/g", &wb, "/a/b/f2", RENAME_NOREPLACE), -EEXIST);
	CHECK_EQ(vfs_rename(&wb, "/a/b/g", &wb, "/a/b/f2", RENAME_EXCHANGE), 0);
	CHECK_EQ(get_file(&wb, "/a/b/g", buf, sizeof(buf)), 5);
	CHECK_EQ(vfs_rename(&wb, "/a/b", &wb, "/a/b/g", 0), -EINVAL);
	CHECK_EQ(vfs_mkdir(&wb, "/d", 0755), 0);
	CHECK_EQ(vfs_rename(&wb, "/a/b/g", &wb, "/d", 0), -EISDIR);
	CHECK_EQ(vfs_rename(&wb, "/d", &wb, "/a/b/g", 0), -ENOTDIR);
	CHECK_EQ(vfs_link(&wb, "/a/b/g", &wb, "/d/hard", 0), 0);
	CHECK_EQ(vfs_lookup(&wb, "/d/hard", 0, &p), 0);
	CHECK_EQ(vfs_getattr(&p, &st), 0);
	CHECK_EQ(st.nlink, 2);
	path_put(&p);
	CHECK_EQ(vfs_link(&wb, "/d", &wb, "/dlink", 0), -EPERM);
	CHECK_EQ(vfs_rmdir(&wb, "/d"), -ENOTEMPTY);
	CHECK_EQ(vfs_unlink(&wb, "/d"), -EISDIR);
	CHECK_EQ(vfs_rmdir(&wb, "/d/hard"), -ENOTDIR);
	CHECK_EQ(vfs_unlink(&wb, "/d/hard"), 0);
	CHECK_EQ(vfs_rmdir(&wb, "/d/."), -EINVAL);
	CHECK_EQ(vfs_rmdir(&wb, "/d"), 0);
	CHECK_EQ(vfs_lookup(&wb, "/", 0, &p), 0);
	CHECK_EQ(vfs_getattr(&p, &st), 0);
	CHECK_EQ(st.nlink, 3);	/* ".", "..", and /a's ".." */
	path_put(&p);

	/* An open file survives its unlink; its path says so. */
	CHECK_EQ(vfs_open(&wb, "/a/b/g", O_RDONLY, 0, &f), 0);
	CHECK_EQ(vfs_unlink(&wb, "/a/b/g"), 0);
	CHECK_EQ(vfs_kernel_read(f, buf, 5, 0), 5);
	CHECK(vfs_file_path(f, &(struct path){ ns->root, ns->root->root }, buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "/a/b/g (deleted)") == 0);
	file_put(f);

	/* Permissions for an ordinary user. */
	struct walk_base uwb = { .fs = fs, .cr = &user_creds };
	CHECK_EQ(vfs_mkdir(&wb, "/private", 0700), 0);
	CHECK_EQ(put_file(&wb, "/private/secret", "s"), 0);
	CHECK_EQ(get_file(&uwb, "/private/secret", buf, sizeof(buf)), -EACCES);
	CHECK_EQ(vfs_mkdir(&uwb, "/mine", 0755), -EACCES);
	CHECK_EQ(get_file(&uwb, "/a/b/f2", buf, sizeof(buf)), 1);
	CHECK_EQ(put_file(&uwb, "/a/b/f2", "no"), -EACCES);

	fs_context_put(fs);
	mount_ns_put(ns);
	return test_finish("vfs_tmpfs");
}
