/*
 * orch-shim: the per-container parent process of orch's runtime (the role of
 * containerd-shim + runc init + tini in one small static binary).
 *
 *   orch-shim run STATE_DIR          start the container described by STATE_DIR/config
 *   orch-shim layer-fixup LAYER_DIR  apply whiteouts, opaque dirs, device nodes and
 *                                    xattrs that Java cannot create (records on stdin)
 *   orch-shim exec [LEN]             run a command inside a running container
 *                                    (health checks, orchctl exec); see orch-shim-tools.c
 *
 * Protocol of "run" (see LinuxContainerRuntime):
 *   - STATE_DIR/config holds NUL-terminated "key=value" records.
 *   - The shim answers on stdout with exactly one line, then never writes there
 *     again (so it survives the death of the JVM that reads it):
 *       "started <host pid of container init>\n"  or  "error: <what>: <why>\n"
 *   - STATE_DIR/shim.pid: "<shim pid> <init pid> <shim start time in ticks>\n",
 *     written before the handshake so an agent restarted at any time finds it.
 *   - STATE_DIR/exit: "code=N\nsignal=S\nmessage=...\n", written atomically
 *     (rename) once the container's init has gone; then the shim exits.
 *   - The container's stdout and stderr are pipes that the shim relays to the log file
 *     (config "log") as timestamped records, until both are drained after the exit
 *     (orch-shim-logs.c).
 *
 * Inside the new namespaces the cloned child sets up the root filesystem and
 * then stays as PID 1: it forks the workload, forwards signals to it, reaps
 * zombies and tells the shim how the workload ended over a pipe, because PID 1
 * cannot die from its own signals and so cannot mirror a signal death itself.
 */
#include "orch-shim.h"

struct init_args {
  struct config *cfg;
  int go_fd;      /* read end: the shim writes one byte once cgroups are joined */
  int status_fd;  /* write end: "ready", "error: ..." and "exit ..." lines to the shim */
  int out_fd, err_fd; /* write ends of the log pipes: the workload's stdout and stderr */
};

static char clone_stack[256 * 1024] __attribute__((aligned(16)));

/* ---------------------------------------------------------------- helpers */

int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Writes "error: <formatted>: <strerror(errno)>\n" to fd; errno is read first. */
void report_error(int fd, const char *fmt, ...) {
  int saved = errno;
  char msg[1024], line[1400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (saved != 0)
    snprintf(line, sizeof line, "error: %s: %s\n", msg, strerror(saved));
  else
    snprintf(line, sizeof line, "error: %s\n", msg);
  write_all(fd, line, strlen(line));
}

char *read_file(const char *path, size_t *len_out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 8192, len = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (len == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      free(buf);
      close(fd);
      return NULL;
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(fd);
  buf[len] = 0;
  *len_out = len;
  return buf;
}

void parse_records(char *buf, size_t len, struct config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  for (size_t off = 0; off < len;) {
    char *rec = buf + off;
    off += strlen(rec) + 1;
    char *eq = strchr(rec, '=');
    if (eq == NULL) continue;
    *eq = 0;
    char *v = eq + 1;
    if (!strcmp(rec, "hostname")) cfg->hostname = v;
    else if (!strcmp(rec, "rootfs")) cfg->rootfs = v;
    else if (!strcmp(rec, "upper")) cfg->upper = v;
    else if (!strcmp(rec, "work")) cfg->work = v;
    else if (!strcmp(rec, "workdir")) cfg->workdir = v;
    else if (!strcmp(rec, "log")) cfg->log = v;
    else if (!strcmp(rec, "netns")) cfg->netns = v;
    else if (!strcmp(rec, "mount") && cfg->nmount < 256) cfg->mount[cfg->nmount++] = v;
    else if (!strcmp(rec, "tmpfs") && cfg->ntmpfs < 64) cfg->tmpfs[cfg->ntmpfs++] = v;
    else if (!strcmp(rec, "lower") && cfg->nlower < MAX_ITEMS) cfg->lower[cfg->nlower++] = v;
    else if (!strcmp(rec, "cgroup") && cfg->ncgroup < 64) cfg->cgroup[cfg->ncgroup++] = v;
    else if (!strcmp(rec, "arg") && cfg->nargv < MAX_ITEMS) cfg->argv[cfg->nargv++] = v;
    else if (!strcmp(rec, "env") && cfg->nenv < MAX_ITEMS) cfg->env[cfg->nenv++] = v;
    else if (!strcmp(rec, "pid")) cfg->pid = v;
    else if (!strcmp(rec, "timeout_ms")) cfg->timeout_ms = v;
    else if (!strcmp(rec, "user")) cfg->user = v;
    else if (!strcmp(rec, "caps")) cfg->caps = v;
    else if (!strcmp(rec, "readonly")) cfg->readonly = v;
    else if (!strcmp(rec, "tty")) cfg->tty = v;
  }
}

static int parse_config(const char *path, struct config *cfg) {
  size_t len;
  char *buf = read_file(path, &len);
  if (buf == NULL) return -1;
  parse_records(buf, len, cfg);
  errno = EINVAL;
  if (!cfg->rootfs || !cfg->upper || !cfg->work || !cfg->log || cfg->nlower == 0 || cfg->nargv == 0)
    return -1;
  if (!cfg->hostname) cfg->hostname = "container";
  if (!cfg->workdir || !*cfg->workdir) cfg->workdir = "/";
  return 0;
}

/* ------------------------------------------------------- rootfs setup */

/*
 * Mount data is limited to one page; with many layers the absolute lowerdir
 * list does not fit, so (like containerd) we chdir to the layers' common parent
 * and name them relative to it.
 */
static int mount_overlay(struct config *cfg) {
  size_t total = 0;
  for (int i = 0; i < cfg->nlower; i++) total += strlen(cfg->lower[i]) + 1;
  size_t cap = total + strlen(cfg->upper) + strlen(cfg->work) + 64;
  char *data = malloc(cap);
  size_t prefix = 0;
  if (total + strlen(cfg->upper) + strlen(cfg->work) > 3800) {
    const char *first = cfg->lower[0];
    prefix = strlen(first);
    for (int i = 1; i < cfg->nlower; i++) {
      size_t k = 0;
      while (k < prefix && first[k] == cfg->lower[i][k]) k++;
      prefix = k;
    }
    while (prefix > 0 && first[prefix - 1] != '/') prefix--;
    if (prefix > 0) {
      char dir[PATH_MAX];
      snprintf(dir, sizeof dir, "%.*s", (int)prefix, first);
      if (chdir(dir) < 0) return -1;
    }
  }
  size_t off = (size_t)snprintf(data, cap, "lowerdir=");
  for (int i = 0; i < cfg->nlower; i++)
    off += (size_t)snprintf(data + off, cap - off, "%s%s", i ? ":" : "", cfg->lower[i] + prefix);
  off += (size_t)snprintf(data + off, cap - off, ",upperdir=%s,workdir=%s", cfg->upper, cfg->work);
  /* volatile (Linux 5.10+): no sync of the upper layer's filesystem, above all not when the
   * container's mount namespace goes away at its exit, where a sync of the whole filesystem
   * holding the upper layer delayed every exit by tens of milliseconds. A container's writable
   * layer never outlives its container, so a machine crash costs nothing it would have kept. Older
   * kernels refuse the option: mount without it. */
  snprintf(data + off, cap - off, ",volatile");
  int rc = mount("overlay", cfg->rootfs, "overlay", 0, data);
  if (rc < 0 && errno == EINVAL) {
    data[off] = 0;
    rc = mount("overlay", cfg->rootfs, "overlay", 0, data);
  }
  free(data);
  return rc;
}

static void path_in(char *out, size_t n, const char *root, const char *rel) {
  snprintf(out, n, "%s%s", root, rel);
}

static int mkdir_p(const char *path, mode_t mode) {
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(tmp, mode) < 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(tmp, mode) < 0 && errno != EEXIST) return -1;
  return 0;
}

struct devnode {
  const char *name;
  unsigned major, minor;
};

static const struct devnode dev_nodes[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

/* A minimal /dev: a fresh tmpfs with the six harmless character devices. */
static int setup_dev(int err_fd, const char *root) {
  char p[PATH_MAX], q[PATH_MAX];
  path_in(p, sizeof p, root, "/dev");
  if (mkdir_p(p, 0755) < 0) return report_error(err_fd, "mkdir %s", p), -1;
  if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
    return report_error(err_fd, "mount tmpfs on /dev"), -1;
  for (size_t i = 0; i < sizeof dev_nodes / sizeof dev_nodes[0]; i++) {
    snprintf(p, sizeof p, "%s/dev/%s", root, dev_nodes[i].name);
    if (mknod(p, S_IFCHR | 0666, makedev(dev_nodes[i].major, dev_nodes[i].minor)) == 0) {
      chmod(p, 0666); /* mknod honours the umask */
      continue;
    }
    /* mknod is refused in user namespaces: fall back to bind-mounting the host node. */
    int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
    if (fd >= 0) close(fd);
    snprintf(q, sizeof q, "/dev/%s", dev_nodes[i].name);
    if (mount(q, p, NULL, MS_BIND, NULL) < 0) return report_error(err_fd, "create /dev/%s", dev_nodes[i].name), -1;
  }
  static const char *links[][2] = {{"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"},
                                   {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
                                   {"pts/ptmx", "ptmx"}};
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(p, sizeof p, "%s/dev/%s", root, links[i][1]);
    if (symlink(links[i][0], p) < 0) return report_error(err_fd, "symlink /dev/%s", links[i][1]), -1;
  }
  snprintf(p, sizeof p, "%s/dev/shm", root);
  if (mkdir(p, 01777) < 0 || mount("shm", p, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
    return report_error(err_fd, "mount /dev/shm"), -1;
  /* A private devpts is a convenience (interactive shells); containers run without it. */
  snprintf(p, sizeof p, "%s/dev/pts", root);
  if (mkdir(p, 0755) == 0)
    mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
  return 0;
}

/* Docker's default masked and read-only /proc and /sys paths; absent ones are skipped. */
static int harden_proc_sys(int err_fd, const char *root) {
  static const char *masked_files[] = {"/proc/kcore",       "/proc/keys",          "/proc/timer_list",
                                       "/proc/sched_debug", "/proc/latency_stats", "/proc/timer_stats"};
  static const char *masked_dirs[] = {"/proc/acpi", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"};
  static const char *readonly[] = {"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                   "/proc/sysrq-trigger"};
  char p[PATH_MAX], devnull[PATH_MAX];
  struct stat st;
  path_in(devnull, sizeof devnull, root, "/dev/null");
  for (size_t i = 0; i < sizeof masked_files / sizeof *masked_files; i++) {
    path_in(p, sizeof p, root, masked_files[i]);
    if (lstat(p, &st) == 0 && mount(devnull, p, NULL, MS_BIND, NULL) < 0)
      return report_error(err_fd, "mask %s", masked_files[i]), -1;
  }
  for (size_t i = 0; i < sizeof masked_dirs / sizeof *masked_dirs; i++) {
    path_in(p, sizeof p, root, masked_dirs[i]);
    if (lstat(p, &st) == 0 && mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0") < 0)
      return report_error(err_fd, "mask %s", masked_dirs[i]), -1;
  }
  for (size_t i = 0; i < sizeof readonly / sizeof *readonly; i++) {
    path_in(p, sizeof p, root, readonly[i]);
    if (lstat(p, &st) != 0) continue;
    if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        mount(NULL, p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL) < 0)
      return report_error(err_fd, "make %s read-only", readonly[i]), -1;
  }
  return 0;
}

static int bring_up_loopback(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
  }
  close(fd);
  return rc;
}

/*
 * Before pivot_root, ROOT/proc is resolved by the host: an image whose /proc is a symlink to an
 * absolute path would get procfs (or /dev, /sys) mounted over a host directory.
 */
static int refuse_symlink(int err_fd, const char *root, const char *rel) {
  char p[PATH_MAX];
  struct stat st;
  path_in(p, sizeof p, root, rel);
  if (lstat(p, &st) == 0 && S_ISLNK(st.st_mode)) {
    errno = 0;
    report_error(err_fd, "refusing image whose %s is a symlink", rel);
    return -1;
  }
  return 0;
}

static int open_mount_sources(int err_fd, struct config *cfg) {
  for (int i = 0; i < cfg->nmount; i++) {
    char *source = strrchr(cfg->mount[i], '\n') + 1;
    cfg->mount_fd[i] = (int)syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE);
    if (cfg->mount_fd[i] < 0) return report_error(err_fd, "open mount source %s", source), -1;
  }
  return 0;
}

/*
 * Runs after pivot_root, so targets resolve inside the container (an image symlink cannot point
 * them at the host). The sources were cloned as detached mounts before the host root went away
 * (a plain bind from a path of the detached old root fails), and are attached with move_mount.
 */
static int bind_mounts(int err_fd, struct config *cfg) {
  for (int i = 0; i < cfg->nmount; i++) {
    char spec[PATH_MAX * 2 + 8];
    snprintf(spec, sizeof spec, "%s", cfg->mount[i]);
    char *target = strchr(spec, '\n') + 1;
    *strchr(target, '\n') = 0;
    int readonly = !strncmp(spec, "ro", 2);
    struct stat st;
    if (fstat(cfg->mount_fd[i], &st) < 0) return report_error(err_fd, "stat mount source for %s", target), -1;
    if (S_ISDIR(st.st_mode)) {
      if (mkdir_p(target, 0755) < 0) return report_error(err_fd, "create mount point %s", target), -1;
    } else {
      char parent[PATH_MAX];
      snprintf(parent, sizeof parent, "%s", target);
      char *slash = strrchr(parent, '/');
      if (slash && slash != parent) *slash = 0;
      if (slash && slash != parent && mkdir_p(parent, 0755) < 0)
        return report_error(err_fd, "create mount point %s", target), -1;
      int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd >= 0) close(fd);
    }
    if (syscall(SYS_move_mount, cfg->mount_fd[i], "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
      return report_error(err_fd, "bind mount %s", target), -1;
    if (readonly && mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
      return report_error(err_fd, "make %s read-only", target), -1;
    close(cfg->mount_fd[i]);
  }
  return 0;
}

/*
 * tmpfs mounts (--mount type=tmpfs). Also after pivot_root, for the same reason as bind mounts:
 * the target is resolved inside the container, so an image symlink cannot aim it at the host.
 */
static int tmpfs_mounts(int err_fd, struct config *cfg) {
  for (int i = 0; i < cfg->ntmpfs; i++) {
    char spec[PATH_MAX + 64];
    snprintf(spec, sizeof spec, "%s", cfg->tmpfs[i]);
    char *target = strchr(spec, '\n');
    char *size = target ? strchr(target + 1, '\n') : NULL;
    if (!target || !size) {
      errno = EINVAL;
      return report_error(err_fd, "bad tmpfs record %s", cfg->tmpfs[i]), -1;
    }
    *target++ = 0;
    *size++ = 0;
    unsigned long flags = MS_NOSUID | MS_NODEV | (!strcmp(spec, "ro") ? MS_RDONLY : 0);
    char data[64];
    if (strcmp(size, "0") != 0) snprintf(data, sizeof data, "mode=1777,size=%s", size);
    else snprintf(data, sizeof data, "mode=1777");
    if (mkdir_p(target, 0755) < 0) return report_error(err_fd, "create mount point %s", target), -1;
    if (mount("tmpfs", target, "tmpfs", flags, data) < 0) return report_error(err_fd, "mount tmpfs on %s", target), -1;
  }
  return 0;
}

static int setup_rootfs(int err_fd, struct config *cfg) {
  const char *root = cfg->rootfs;
  char p[PATH_MAX];
  /* Nothing we mount may propagate back to the host's mount namespace. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) return report_error(err_fd, "make / rprivate"), -1;
  if (open_mount_sources(err_fd, cfg) < 0) return -1;
  if (mount_overlay(cfg) < 0) return report_error(err_fd, "mount overlay on %s", root), -1;
  if (refuse_symlink(err_fd, root, "/proc") < 0 || refuse_symlink(err_fd, root, "/dev") < 0 ||
      refuse_symlink(err_fd, root, "/sys") < 0)
    return -1;
  path_in(p, sizeof p, root, "/proc");
  if (mkdir_p(p, 0555) < 0 || mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return report_error(err_fd, "mount proc"), -1;
  if (setup_dev(err_fd, root) < 0) return -1;
  path_in(p, sizeof p, root, "/sys");
  if (mkdir_p(p, 0555) < 0 || mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    return report_error(err_fd, "mount sysfs"), -1;
  if (harden_proc_sys(err_fd, root) < 0) return -1;
  if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) return report_error(err_fd, "sethostname"), -1;
  if (bring_up_loopback() < 0) return report_error(err_fd, "bring up lo"), -1;
  /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the new root. */
  if (chdir(root) < 0) return report_error(err_fd, "chdir %s", root), -1;
  if (syscall(SYS_pivot_root, ".", ".") < 0) return report_error(err_fd, "pivot_root"), -1;
  if (umount2(".", MNT_DETACH) < 0) return report_error(err_fd, "detach old root"), -1;
  if (chdir("/") < 0) return report_error(err_fd, "chdir /"), -1;
  if (bind_mounts(err_fd, cfg) < 0 || tmpfs_mounts(err_fd, cfg) < 0) return -1;
  if (mkdir_p(cfg->workdir, 0755) < 0) return report_error(err_fd, "create workdir %s", cfg->workdir), -1;
  if (cfg->readonly && !strcmp(cfg->readonly, "1") && make_root_readonly(err_fd) < 0) return -1;
  return enter_workdir(err_fd, cfg->workdir);
}

/* ------------------------------------------------------- init (PID 1) */

static const char *env_path(struct config *cfg) {
  for (int i = 0; i < cfg->nenv; i++)
    if (!strncmp(cfg->env[i], "PATH=", 5)) return cfg->env[i] + 5;
  return DEFAULT_PATH;
}

/* execvpe would search the shim's PATH, not the container's, so search ourselves. */
void exec_workload(struct config *cfg) {
  const char *name = cfg->argv[0];
  if (strchr(name, '/')) {
    execve(name, cfg->argv, cfg->env);
    return;
  }
  char path[PATH_MAX];
  int saw_eacces = 0;
  const char *dirs = env_path(cfg);
  for (const char *d = dirs;; d = strchr(d, ':') + 1) {
    const char *end = strchr(d, ':');
    size_t dl = end ? (size_t)(end - d) : strlen(d);
    snprintf(path, sizeof path, "%.*s%s%s", (int)dl, dl ? d : ".", "/", name);
    execve(path, cfg->argv, cfg->env);
    if (errno == EACCES) saw_eacces = 1;
    if (!end) break;
  }
  errno = saw_eacces ? EACCES : ENOENT;
}

/*
 * The mask a workload starts with is empty, not the one the shim inherited: the JVM that starts
 * the shim blocks SIGQUIT in its threads, and a workload with SIGQUIT blocked could not be
 * stopped with it.
 */
void unblock_all_signals(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

void reset_signals(void) {
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
}

/*
 * Forks and execs the workload as its user; returns its pid once the exec has succeeded (a
 * CLOEXEC pipe closes on exec, or carries {stage, errno} when it failed), or -1 after reporting.
 */
static pid_t spawn_workload(struct config *cfg, const struct user_ids *user, int status_fd) {
  int ep[2];
  if (pipe2(ep, O_CLOEXEC) < 0) return report_error(status_fd, "pipe"), -1;
  pid_t child = fork();
  if (child < 0) return report_error(status_fd, "fork workload"), -1;
  if (child == 0) {
    close(ep[0]);
    unblock_all_signals();
    setsid();
    int failure[2] = {0, 0};
    if (become_user(user) < 0 || finish_privileges(2, capability_set(cfg)) < 0) {
      failure[1] = errno;
    } else if (install_seccomp(2, capability_set(cfg)) < 0) {
      failure[0] = 2;
      failure[1] = errno;
    } else {
      exec_workload(cfg);
      failure[0] = 1;
      failure[1] = errno;
    }
    write_all(ep[1], (char *)failure, sizeof failure);
    _exit(127);
  }
  close(ep[1]);
  int failure[2];
  ssize_t n;
  do n = read(ep[0], failure, sizeof failure); while (n < 0 && errno == EINTR);
  close(ep[0]);
  if (n == (ssize_t)sizeof failure) {
    errno = failure[1];
    if (failure[0] == 2)
      report_error(status_fd, "install seccomp filter");
    else if (failure[0])
      report_error(status_fd, "exec %s", cfg->argv[0]);
    else
      report_error(status_fd, "switch to user %s", cfg->user ? cfg->user : "0");
    return -1;
  }
  return child;
}

/* PID 1's job: forward signals to the workload, reap every zombie; returns the workload's status. */
static int supervise(pid_t child, const sigset_t *set) {
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(set, &si);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    int st, status = -1;
    for (pid_t p; (p = waitpid(-1, &st, WNOHANG)) > 0;)
      if (p == child) status = st;
    if (status != -1) return status;
  }
}

static int init_main(void *arg) {
  struct init_args *a = arg;
  struct config *cfg = a->cfg;
  char c;
  /* If the shim dies, so does the container: "alive" always means "shim alive". */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (read(a->go_fd, &c, 1) != 1) _exit(1); /* shim gone or cgroup join failed */
  close(a->go_fd);
  reset_signals();
  int relay_fds[2];
  log_relay_read_fds(relay_fds); /* the shim's ends: a copy held here would keep the pipes open */
  close(relay_fds[0]);
  close(relay_fds[1]);
  if (setup_rootfs(a->status_fd, cfg) < 0) _exit(1);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(a->out_fd, 1) < 0 || dup2(a->err_fd, 2) < 0)
    return report_error(a->status_fd, "redirect stdio"), 1;
  close(a->out_fd);
  close(a->err_fd);
  /* Only 0-2 reach the workload; init itself keeps the status pipe until exec closes it. */
  cloexec_above_stdio();
  if (drop_privileges(a->status_fd, capability_set(cfg)) < 0) _exit(1);
  struct user_ids user;
  if (resolve_user(cfg->user, &user, a->status_fd) < 0) _exit(1);
  default_home(cfg, &user);

  sigset_t set;
  /* Every signal a stop signal may be, except those the kernel raises for PID 1's own faults. */
  sigemptyset(&set);
  for (int s = 1; s < 32; s++)
    if (s != SIGKILL && s != SIGSTOP && s != SIGSEGV && s != SIGBUS && s != SIGILL && s != SIGFPE && s != SIGTRAP &&
        s != SIGSYS)
      sigaddset(&set, s);
  /* Blocked signals reach PID 1 even without a handler; sigwaitinfo collects them. */
  sigprocmask(SIG_BLOCK, &set, NULL);
  pid_t child = spawn_workload(cfg, &user, a->status_fd);
  if (child < 0) _exit(127);
  finish_privileges(a->status_fd, capability_set(cfg)); /* init never switches users again */
  write_all(a->status_fd, "ready\n", 6);

  int status = supervise(child, &set);
  char line[64];
  int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    snprintf(line, sizeof line, "exit signal %d\n", WTERMSIG(status));
  else
    snprintf(line, sizeof line, "exit code %d\n", code);
  write_all(a->status_fd, line, strlen(line));
  _exit(code);
}

/* ------------------------------------------------------- the shim */

static unsigned long long self_start_ticks(void) {
  size_t len;
  char *s = read_file("/proc/self/stat", &len);
  if (!s) return 0;
  char *p = strrchr(s, ')');
  unsigned long long v = 0;
  /* field 22 (starttime) is the 20th after the ")" that ends the command name */
  for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
  if (p) v = strtoull(p + 1, NULL, 10);
  free(s);
  return v;
}

static int write_file_atomic(const char *dir, const char *name, const char *content) {
  char tmp[PATH_MAX], dst[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
  snprintf(dst, sizeof dst, "%s/%s", dir, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  /* No fsync: these files matter across agent restarts, which keep the page cache; after a
   * machine crash the container is gone anyway. fsync here would cost milliseconds per start. */
  int rc = write_all(fd, content, strlen(content));
  close(fd);
  if (rc == 0) rc = rename(tmp, dst);
  return rc;
}

int join_cgroups(struct config *cfg, pid_t pid, int err_fd) {
  char buf[32];
  int len = snprintf(buf, sizeof buf, "%d\n", pid);
  for (int i = 0; i < cfg->ncgroup; i++) {
    int fd = open(cfg->cgroup[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write_all(fd, buf, (size_t)len) < 0) {
      report_error(err_fd, "join cgroup %s", cfg->cgroup[i]);
      if (fd >= 0) close(fd);
      return -1;
    }
    close(fd);
  }
  return 0;
}

/* Reads one "\n"-terminated line (or up to EOF) from fd. Returns its length, 0 on EOF. */
static size_t read_line(int fd, char *buf, size_t cap) {
  size_t len = 0;
  while (len + 1 < cap) {
    ssize_t n = read(fd, buf + len, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (buf[len++] == '\n') break;
  }
  buf[len] = 0;
  return len;
}

static void describe_exit(char *out, size_t n, int init_status, const char *report) {
  int code, sig;
  if (sscanf(report, "exit signal %d", &sig) == 1) {
    snprintf(out, n, "code=%d\nsignal=%d\nmessage=workload killed by signal %d (%s)\n", 128 + sig, sig, sig,
             strsignal(sig));
  } else if (sscanf(report, "exit code %d", &code) == 1) {
    snprintf(out, n, "code=%d\nsignal=0\nmessage=workload exited with code %d\n", code, code);
  } else if (WIFSIGNALED(init_status)) {
    sig = WTERMSIG(init_status);
    snprintf(out, n, "code=%d\nsignal=%d\nmessage=container killed by signal %d (%s)\n", 128 + sig, sig, sig,
             strsignal(sig));
  } else {
    code = WEXITSTATUS(init_status);
    snprintf(out, n, "code=%d\nsignal=0\nmessage=container init exited with code %d\n", code, code);
  }
}

/*
 * Clones the container's init into its namespaces, puts it in the cgroups before it may run,
 * and waits for its "ready" (workload exec'd). Returns its pid and the read end of its status
 * pipe, or -1 once the failure has been reported on stdout.
 */
static pid_t launch_init(struct config *cfg, int *status_fd) {
  static struct init_args args;
  char line[1500];
  int status, out_fd, err_fd;
  if (log_relay_open(cfg->log, &out_fd, &err_fd, 1) < 0) return -1;
  int go[2], st[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) return report_error(1, "pipe"), -1;
  args = (struct init_args){cfg, go[0], st[1], out_fd, err_fd};
  int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
  if (cfg->netns) {
    /* Join the prepared namespace ourselves: the clone then inherits it, interfaces and all. */
    int nsfd = open(cfg->netns, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0)
      return report_error(1, "join network namespace %s", cfg->netns), -1;
    close(nsfd);
  } else {
    flags |= CLONE_NEWNET;
  }
  pid_t child = clone(init_main, clone_stack + sizeof clone_stack, flags, &args);
  if (child < 0) return report_error(1, "clone namespaces"), -1;
  close(go[0]);
  close(st[1]);
  close(out_fd);
  close(err_fd);
  if (join_cgroups(cfg, child, 1) < 0 || write_all(go[1], "g", 1) < 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    return -1;
  }
  close(go[1]);
  if (read_line(st[0], line, sizeof line) == 0 || strncmp(line, "ready", 5) != 0) {
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (line[0] == 0)
      snprintf(line, sizeof line, "error: container init died during setup (wait status %d)\n", status);
    write_all(1, line, strlen(line));
    return -1;
  }
  *status_fd = st[0];
  return child;
}

static int shim_run(const char *state_dir) {
  static struct config cfg;
  char path[PATH_MAX], line[1500];
  int status, status_fd;
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  setsid(); /* own session: a terminal hangup or the agent's process group dying does not reach us */
  snprintf(path, sizeof path, "%s/config", state_dir);
  if (parse_config(path, &cfg) < 0) return report_error(1, "read config %s", path), 1;
  snprintf(path, sizeof path, "%s/shim.log", state_dir);
  int shim_log = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (shim_log < 0) return report_error(1, "open %s", path), 1;
  dup2(shim_log, 2);
  pid_t child = launch_init(&cfg, &status_fd);
  if (child < 0) return 1;
  char pidline[96];
  snprintf(pidline, sizeof pidline, "%d %d %llu\n", getpid(), child, self_start_ticks());
  if (write_file_atomic(state_dir, "shim.pid", pidline) < 0) {
    report_error(1, "write %s/shim.pid", state_dir);
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    return 1;
  }
  snprintf(line, sizeof line, "started %d\n", child);
  write_all(1, line, strlen(line));
  /* From here on the agent may be gone: stop using its pipe. */
  dup2(shim_log, 1);
  /* The container's output until its end; then init's "exit ..." line (empty if init was killed). */
  log_relay_until_exit(status_fd, line, sizeof line);
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  char exitinfo[512];
  describe_exit(exitinfo, sizeof exitinfo, status, line);
  if (write_file_atomic(state_dir, "exit", exitinfo) < 0) {
    report_error(2, "write exit file");
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  /* The shims that enter containers run from a sealed copy (CVE-2019-5736). */
  if (argc >= 2 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "exec")) && reexec_sealed(argv) < 0) return 126;
  if (argc == 3 && !strcmp(argv[1], "run")) return shim_run(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "layer-fixup")) return layer_fixup(argv[2]);
  if (argc == 2 && !strcmp(argv[1], "exec")) return shim_exec(-1);
  if (argc == 3 && !strcmp(argv[1], "exec")) return shim_exec(atol(argv[2]));
  fprintf(stderr, "usage: orch-shim run STATE_DIR | orch-shim layer-fixup LAYER_DIR | orch-shim exec [LEN]\n");
  return 2;
}
