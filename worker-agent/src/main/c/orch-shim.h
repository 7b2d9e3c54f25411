/* Shared between orch-shim.c (run: the container's parent and init) and orch-shim-tools.c. */
#ifndef ORCH_SHIM_H
#define ORCH_SHIM_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <poll.h>
#include <grp.h>
#include <sys/signalfd.h>
#include <time.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The new mount API (Linux 5.2); <linux/mount.h> clashes with <sys/mount.h>, so just the numbers. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

#define MAX_ITEMS 4096
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct config {
  char *hostname, *rootfs, *upper, *work, *workdir, *log, *netns, *pid, *timeout_ms, *user;
  char *caps, *readonly; /* capability set (hex mask); "1": read-only root */
  char *tty;             /* exec: "ROWS COLS" of a pseudo-terminal for the command, else none */
  char *mount[256]; /* "ro|rw\nTARGET\nSOURCE" */
  int nmount;
  int mount_fd[256]; /* detached clones of the sources (open_tree), taken while the host root is visible */
  char *tmpfs[64]; /* "ro|rw\nTARGET\nSIZE_BYTES" (0 = the kernel's default, half of RAM) */
  int ntmpfs;
  char *lower[MAX_ITEMS];
  int nlower;
  char *cgroup[64];
  int ncgroup;
  char *argv[MAX_ITEMS + 1];
  int nargv;
  char *env[MAX_ITEMS + 1];
  int nenv;
};

int write_all(int fd, const char *buf, size_t len);
void report_error(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *read_file(const char *path, size_t *len_out);
void parse_records(char *buf, size_t len, struct config *cfg);
int join_cgroups(struct config *cfg, pid_t pid, int err_fd);
/* orch-shim-harden.c */
unsigned long long capability_set(const struct config *cfg);
int drop_privileges(int err_fd, unsigned long long keep);
int finish_privileges(int err_fd, unsigned long long keep);
int install_seccomp(int err_fd, unsigned long long caps);
int reexec_sealed(char **argv);
int enter_workdir(int err_fd, const char *workdir);
int make_root_readonly(int err_fd);
void cloexec_above_stdio(void);
void exec_workload(struct config *cfg);
void reset_signals(void);
void unblock_all_signals(void);

struct user_ids {
  uid_t uid;
  gid_t gid;
  gid_t groups[64];
  int ngroups;
  char home[256];
};
int resolve_user(const char *spec, struct user_ids *u, int err_fd);
void default_home(struct config *cfg, const struct user_ids *u);
int become_user(const struct user_ids *u);

int layer_fixup(const char *root);
/* orch-shim-logs.c */
int log_relay_open(const char *log_path, int *child_out, int *child_err, int err_fd);
void log_relay_read_fds(int fds[2]);
void log_relay_until_exit(int status_fd, char *line, size_t cap);
int shim_exec(long framed_len);

#endif
