/*
 * The orch-shim subcommands other than "run": layer-fixup (used while unpacking image layers)
 * and exec (a command inside a running container, for health checks).
 */
#include "orch-shim.h"

/* ------------------------------------------------------- layer fixups */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int safe_rel(const char *rel) {
  if (rel[0] == '/' || !strcmp(rel, "..") || !strncmp(rel, "../", 3) || strstr(rel, "/../") ||
      (strlen(rel) >= 3 && !strcmp(rel + strlen(rel) - 3, "/..")))
    return 0;
  return 1;
}

/*
 * Records on stdin, fields NUL-terminated, paths relative to LAYER_DIR:
 *   w PATH                         overlay whiteout (char device 0:0)
 *   o PATH                         opaque directory (trusted.overlay.opaque=y)
 *   n PATH MODE(octal) MAJOR MINOR UID GID MTIME_SEC
 *                                  device node or FIFO, with owner, mode and mtime
 *                                  (Java cannot chmod a FIFO: it opens it, and blocks)
 *   x PATH NAME HEXVALUE           extended attribute (not following symlinks)
 */
int layer_fixup(const char *root) {
  size_t len;
  char *buf = read_file("/dev/stdin", &len);
  if (!buf) return report_error(2, "read stdin"), 1;
  char *f[8];
  for (size_t off = 0; off < len;) {
    char *op = buf + off;
    int nf = !strcmp(op, "n") ? 8 : !strcmp(op, "x") ? 4 : 2;
    for (int i = 0; i < nf; i++) {
      if (off >= len) return errno = 0, report_error(2, "truncated fixup record"), 1;
      f[i] = buf + off;
      off += strlen(f[i]) + 1;
    }
    if (!safe_rel(f[1])) return errno = 0, report_error(2, "path escapes layer: %s", f[1]), 1;
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", root, f[1]);
    int rc;
    if (!strcmp(op, "w")) {
      rc = mknod(p, S_IFCHR, makedev(0, 0));
    } else if (!strcmp(op, "o")) {
      rc = lsetxattr(p, "trusted.overlay.opaque", "y", 1, 0);
    } else if (!strcmp(op, "n")) {
      mode_t mode = (mode_t)strtoul(f[2], NULL, 8);
      struct timespec times[2] = {{strtol(f[7], NULL, 10), 0}, {strtol(f[7], NULL, 10), 0}};
      rc = mknod(p, mode, makedev(strtoul(f[3], NULL, 10), strtoul(f[4], NULL, 10)));
      if (rc == 0) rc = lchown(p, (uid_t)strtoul(f[5], NULL, 10), (gid_t)strtoul(f[6], NULL, 10));
      if (rc == 0) rc = fchmodat(AT_FDCWD, p, mode & 07777, 0); /* after chown, which clears setuid */
      if (rc == 0) rc = utimensat(AT_FDCWD, p, times, AT_SYMLINK_NOFOLLOW);
    } else if (!strcmp(op, "x")) {
      size_t hl = strlen(f[3]);
      char *val = malloc(hl / 2 + 1);
      for (size_t i = 0; i + 1 < hl; i += 2) val[i / 2] = (char)(hexval(f[3][i]) * 16 + hexval(f[3][i + 1]));
      rc = lsetxattr(p, f[2], val, hl / 2, 0);
      free(val);
    } else {
      return errno = 0, report_error(2, "unknown fixup op %s", op), 1;
    }
    if (rc < 0) return report_error(2, "fixup %s %s", op, f[1]), 1;
  }
  free(buf);
  return 0;
}


/* ------------------------------------------------------- exec */

/* Joins the container's namespaces; the mount namespace last, since /proc/PID is the host's. */
static int enter_namespaces(const char *pid) {
  static const char *names[] = {"ipc", "uts", "net", "pid", "mnt"};
  static const int types[] = {CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWNS};
  int fds[5];
  char path[128];
  for (int i = 0; i < 5; i++) {
    snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, names[i]);
    fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) return report_error(1, "orch-shim exec: open %s", path), -1;
  }
  for (int i = 0; i < 5; i++) {
    if (setns(fds[i], types[i]) < 0) return report_error(1, "orch-shim exec: join %s namespace", names[i]), -1;
    close(fds[i]);
  }
  return 0;
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * What the relay copies: the command's output (a pipe's read end, or the pseudo-terminal's master)
 * to our stdout and, with a terminal, our stdin to the master (without one, the command reads
 * our stdin itself).
 */
struct relay {
  pid_t child;
  int out_fd;
  int tty_master; /* -1 without a terminal */
  int sig_fd;
  long long deadline; /* 0: none */
};

/* Copies what stdin has to the (non-blocking) master; keeps what does not fit in *pend. */
static void feed_terminal(int master, char *pend, size_t *npend, int *stdin_open) {
  if (*npend == 0) {
    ssize_t n = read(0, pend, 8192);
    if (n <= 0) {
      if (n == 0 || errno != EINTR) *stdin_open = 0;
      return;
    }
    *npend = (size_t)n;
  }
  ssize_t w = write(master, pend, *npend);
  if (w > 0) {
    memmove(pend, pend + w, *npend - (size_t)w);
    *npend -= (size_t)w;
  } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
    *npend = 0;
    *stdin_open = 0;
  }
}

/*
 * Copies the command's output to stdout until it exits, or kills it at the deadline; returns its
 * wait status. The shim enforces the timeout itself and reaps the command: a command orphaned by
 * a killed shim would be reparented outside its pid namespace, and the namespace could not finish
 * dying until that outside reaper collected it. Input for a terminal waits (the master is polled
 * for room) while the terminal's buffer is full, so a command that does not read cannot block
 * the copying of its output.
 */
static int relay_until_exit(const struct relay *r) {
  char buf[8192], pend[8192];
  size_t npend = 0;
  int status = 0, stdin_open = r->tty_master >= 0;
  struct pollfd p[3] = {{r->out_fd, POLLIN, 0}, {r->sig_fd, POLLIN, 0}, {-1, 0, 0}};
  for (;;) {
    int wait_ms = -1;
    if (r->deadline > 0) {
      long long left = r->deadline - now_ms();
      if (left <= 0) {
        kill(r->child, SIGKILL);
        while (waitpid(r->child, &status, 0) < 0 && errno == EINTR) {
        }
        fprintf(stderr, "timeout\n");
        break;
      }
      wait_ms = (int)left;
    }
    p[2].fd = npend ? r->tty_master : stdin_open ? 0 : -1;
    p[2].events = npend ? POLLOUT : POLLIN;
    if (poll(p, 3, wait_ms) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[0].revents) {
      ssize_t n = read(r->out_fd, buf, sizeof buf);
      if (n > 0) write_all(1, buf, (size_t)n);
      else if (n == 0 || (errno != EINTR && errno != EAGAIN)) p[0].fd = -1; /* a master says EIO at the end */
    }
    if (p[2].revents) feed_terminal(r->tty_master, pend, &npend, &stdin_open);
    if (p[1].revents) {
      struct signalfd_siginfo si;
      if (read(r->sig_fd, &si, sizeof si) < 0 && errno != EAGAIN) break;
    }
    if (waitpid(r->child, &status, WNOHANG) == r->child) break;
  }
  /* Drain what is already written, but never wait for children the command left behind. */
  fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
  for (ssize_t n; (n = read(r->out_fd, buf, sizeof buf)) > 0;) write_all(1, buf, (size_t)n);
  return status;
}

/*
 * A pseudo-terminal from the container's own devpts (we are in its mount namespace, where
 * /dev/ptmx leads to /dev/pts/ptmx), sized "ROWS COLS"; returns its master, non-blocking.
 */
static int open_terminal(const char *size) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return report_error(1, "orch-shim exec: open a pseudo-terminal (/dev/ptmx of the container)"), -1;
  if (grantpt(master) < 0 || unlockpt(master) < 0) return report_error(1, "orch-shim exec: unlock the pseudo-terminal"), -1;
  unsigned rows = 0, cols = 0;
  if (sscanf(size, "%u %u", &rows, &cols) == 2 && rows > 0 && cols > 0) {
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (ioctl(master, TIOCSWINSZ, &ws) < 0) return report_error(1, "orch-shim exec: set the terminal size"), -1;
  }
  fcntl(master, F_SETFL, O_NONBLOCK);
  return master;
}

/*
 * In the command's process: a new session whose controlling terminal is the pseudo-terminal,
 * which becomes its stdin, stdout and stderr.
 */
static int attach_terminal(int master) {
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) {
    char name[64];
    if (ptsname_r(master, name, sizeof name) != 0) return report_error(2, "orch-shim exec: name the terminal"), -1;
    slave = open(name, O_RDWR | O_NOCTTY);
  }
  if (slave < 0) return report_error(2, "orch-shim exec: open the terminal"), -1;
  if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) return report_error(2, "orch-shim exec: make the terminal controlling"), -1;
  for (int fd = 0; fd < 3; fd++) dup2(slave, fd);
  if (slave > 2) close(slave);
  close(master);
  return 0;
}

/*
 * exec [LEN]: stdin carries NUL-terminated records pid=<host pid of the container's init>,
 * cgroup=<cgroup.procs file> (repeated), workdir=, user=, timeout_ms=, arg= and env= (repeated). The
 * command's stdout and stderr come out merged on our stdout; we exit with its code, or
 * 128+signal. At the timeout we kill it and say "timeout" on our stderr. The command also dies
 * with us (PDEATHSIG), as a backstop. A failure before the command runs is reported as
 * "orch-shim exec: <what>: <why>" with exit code 126 (127 when the command is not found).
 * Without LEN the records run to the end of stdin and the command's stdin is /dev/null; with LEN
 * the records are its first LEN bytes and the rest of stdin goes to the command (orchctl exec -i).
 * tty=ROWS COLS gives the command a pseudo-terminal of the container as its controlling terminal,
 * stdin, stdout and stderr (orchctl exec -t); the rest of stdin is then typed into it.
 */
/* Reads exactly len bytes of records from stdin, leaving the rest of stdin to the command. */
static char *read_framed_records(size_t len) {
  char *buf = malloc(len + 1);
  size_t got = 0;
  while (buf && got < len) {
    ssize_t n = read(0, buf + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return free(buf), errno = n == 0 ? EPIPE : errno, NULL;
    got += (size_t)n;
  }
  if (buf) buf[len] = 0;
  return buf;
}

int shim_exec(long framed_len) {
  static struct config cfg;
  size_t len = framed_len >= 0 ? (size_t)framed_len : 0;
  char *records = framed_len >= 0 ? read_framed_records(len) : read_file("/dev/stdin", &len);
  if (!records) return report_error(1, "orch-shim exec: read stdin"), 126;
  parse_records(records, len, &cfg);
  if (!cfg.pid || cfg.nargv == 0) return errno = 0, report_error(1, "orch-shim exec: need pid= and arg="), 126;
  /* Framed records: the rest of stdin is the command's input; otherwise it reads nothing. */
  int devnull = framed_len >= 0 ? 0 : open("/dev/null", O_RDONLY);
  if (devnull < 0 || (framed_len < 0 && dup2(devnull, 0) < 0)) return report_error(1, "orch-shim exec: stdin"), 126;
  signal(SIGPIPE, SIG_IGN);
  if (join_cgroups(&cfg, getpid(), 1) < 0 || enter_namespaces(cfg.pid) < 0) return 126;
  int out[2] = {-1, -1};
  int master = cfg.tty ? open_terminal(cfg.tty) : -1;
  if (cfg.tty && master < 0) return 126;
  if (!cfg.tty && pipe2(out, O_CLOEXEC) < 0) return report_error(1, "orch-shim exec: pipe"), 126;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sig_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sig_fd < 0) return report_error(1, "orch-shim exec: signalfd"), 126;
  pid_t child = fork(); /* the first process to really enter the container's pid namespace */
  if (child < 0) return report_error(1, "orch-shim exec: fork"), 126;
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    unblock_all_signals();
    reset_signals();
    if (master >= 0 ? attach_terminal(master) < 0 : dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0) _exit(126);
    cloexec_above_stdio();
    const char *workdir = cfg.workdir && *cfg.workdir ? cfg.workdir : "/";
    if (enter_workdir(2, workdir) < 0) _exit(126);
    struct user_ids user;
    if (drop_privileges(2, capability_set(&cfg)) < 0 || resolve_user(cfg.user, &user, 2) < 0) _exit(126);
    default_home(&cfg, &user);
    /* The terminal belongs to whoever uses it, as login and docker make it. */
    if (master >= 0 && fchown(0, user.uid, (gid_t)-1) < 0) report_error(2, "orch-shim exec: chown the terminal"), _exit(126);
    if (become_user(&user) < 0) report_error(2, "orch-shim exec: switch to user %s", cfg.user ? cfg.user : "0"), _exit(126);
    if (finish_privileges(2, capability_set(&cfg)) < 0) _exit(126);
    if (install_seccomp(2, capability_set(&cfg)) < 0) _exit(126);
    exec_workload(&cfg);
    int err = errno;
    report_error(2, "orch-shim exec: exec %s", cfg.argv[0]);
    _exit(err == ENOENT ? 127 : 126);
  }
  if (master < 0) close(out[1]);
  long long timeout = cfg.timeout_ms ? atoll(cfg.timeout_ms) : 0;
  struct relay r = {child, master >= 0 ? master : out[0], master, sig_fd, timeout > 0 ? now_ms() + timeout : 0};
  int status = relay_until_exit(&r);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
