/*
 * Hardening that orch-shim applies beyond namespaces and mounts: the capability set, a seccomp
 * deny list, running from a sealed copy of itself (CVE-2019-5736), the working directory check
 * (CVE-2024-21626) and the read-only root.
 */
#include "orch-shim.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/sendfile.h>

extern char **environ;

/* ------------------------------------------------------- capabilities */

/* Docker's default set minus MKNOD (see Capabilities.java), for configs that carry no caps=. */
static const int default_caps[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,  CAP_FOWNER,  CAP_NET_RAW,          CAP_SETGID,     CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,      CAP_KILL,    CAP_AUDIT_WRITE, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
};

/* Capabilities this kernel knows: capset refuses bits past /proc/sys/kernel/cap_last_cap. */
static unsigned long long known_caps(void) {
  size_t len;
  char *s = read_file("/proc/sys/kernel/cap_last_cap", &len);
  int last = s ? atoi(s) : 40;
  free(s);
  return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

/* What this process may keep: ALL means all it has, a capability orchd itself lacks cannot be granted. */
static unsigned long long permitted_now(void) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct now[2];
  if (syscall(SYS_capget, &hdr, now) < 0) return ~0ULL;
  return ((unsigned long long)now[1].permitted << 32) | now[0].permitted;
}

/* The container's capabilities: caps= of its config, else the default set. */
unsigned long long capability_set(const struct config *cfg) {
  unsigned long long keep = 0;
  if (cfg->caps && *cfg->caps) {
    keep = strtoull(cfg->caps, NULL, 16);
  } else {
    for (size_t i = 0; i < sizeof default_caps / sizeof *default_caps; i++) keep |= 1ULL << default_caps[i];
  }
  return keep & known_caps() & permitted_now();
}

/* The inheritable set may not exceed the bounding set, so it gets only the container's set. */
static int set_capabilities(int err_fd, unsigned long long caps, unsigned long long inheritable) {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  for (int i = 0; i < 2; i++) {
    data[i].effective = data[i].permitted = (unsigned)(caps >> (32 * i));
    data[i].inheritable = (unsigned)(inheritable >> (32 * i));
  }
  if (syscall(SYS_capset, &hdr, data) < 0) return report_error(err_fd, "capset"), -1;
  return 0;
}

#define SWITCH_USER_CAPS ((1ULL << CAP_SETUID) | (1ULL << CAP_SETGID))

/*
 * Bounds the container's capabilities and sets no_new_privs. The caller keeps SETUID and SETGID
 * until finish_privileges, so that it can still become the container's user.
 */
int drop_privileges(int err_fd, unsigned long long keep) {
  for (int cap = 0; cap < 64; cap++) {
    if (keep & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
      if (errno == EINVAL) break; /* past the kernel's last capability */
      return report_error(err_fd, "drop capability %d", cap), -1;
    }
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  if (set_capabilities(err_fd, keep | SWITCH_USER_CAPS, keep) < 0) return -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return report_error(err_fd, "set no_new_privs"), -1;
  return 0;
}

/*
 * After becoming the container's user: root keeps exactly the container's set; any other user
 * lost every capability with setuid (as under Docker, only the bounding set applies to it).
 */
int finish_privileges(int err_fd, unsigned long long keep) {
  if (getuid() != 0) return 0;
  return set_capabilities(err_fd, keep, keep);
}

/* ------------------------------------------------------- seccomp */

#if defined(__x86_64__)
#define NO_CAP (-1)
#define CAP_PERFMON_ 38
#define CAP_BPF_ 39

/*
 * The syscalls Docker's default profile refuses, and the capability that lifts the refusal
 * there (NO_CAP: always refused). Docker's argument filters are reduced to the one that matters
 * for isolation: clone with namespace flags (below). ptrace stays allowed, as in Docker since
 * kernel 4.8.
 */
static const struct { long nr; int cap; } denied[] = {
    {__NR_acct, CAP_SYS_PACCT},          {__NR_add_key, NO_CAP},
    {__NR_bpf, CAP_BPF_},                {__NR_clock_adjtime, CAP_SYS_TIME},
    {__NR_clock_settime, CAP_SYS_TIME},  {__NR_create_module, NO_CAP},
    {__NR_delete_module, CAP_SYS_MODULE}, {__NR_finit_module, CAP_SYS_MODULE},
    {__NR_get_kernel_syms, NO_CAP},      {__NR_get_mempolicy, CAP_SYS_NICE},
    {__NR_init_module, CAP_SYS_MODULE},  {__NR_ioperm, CAP_SYS_RAWIO},
    {__NR_iopl, CAP_SYS_RAWIO},          {__NR_kcmp, CAP_SYS_PTRACE},
    {__NR_kexec_file_load, NO_CAP},      {__NR_kexec_load, NO_CAP},
    {__NR_keyctl, NO_CAP},               {__NR_lookup_dcookie, CAP_SYS_ADMIN},
    {__NR_mbind, CAP_SYS_NICE},          {__NR_mount, CAP_SYS_ADMIN},
    {__NR_move_pages, CAP_SYS_NICE},     {__NR_name_to_handle_at, CAP_SYS_ADMIN},
    {__NR_nfsservctl, NO_CAP},           {__NR_open_by_handle_at, CAP_DAC_READ_SEARCH},
    {__NR_perf_event_open, CAP_PERFMON_}, {__NR_pivot_root, CAP_SYS_ADMIN},
    {__NR_process_vm_readv, CAP_SYS_PTRACE}, {__NR_process_vm_writev, CAP_SYS_PTRACE},
    {__NR_query_module, NO_CAP},         {__NR_quotactl, CAP_SYS_ADMIN},
    {__NR_reboot, CAP_SYS_BOOT},         {__NR_request_key, NO_CAP},
    {__NR_set_mempolicy, CAP_SYS_NICE},  {__NR_setns, CAP_SYS_ADMIN},
    {__NR_settimeofday, CAP_SYS_TIME},   {__NR_swapon, NO_CAP},
    {__NR_swapoff, NO_CAP},              {__NR_sysfs, NO_CAP},
    {__NR__sysctl, NO_CAP},              {__NR_syslog, CAP_SYSLOG},
    {__NR_umount2, CAP_SYS_ADMIN},       {__NR_unshare, CAP_SYS_ADMIN},
    {__NR_uselib, NO_CAP},               {__NR_userfaultfd, NO_CAP},
    {__NR_ustat, NO_CAP},                {__NR_vhangup, NO_CAP},
    {__NR_fanotify_init, CAP_SYS_ADMIN},
    /* newer than some headers: by number (x86_64) */
    {438 /* pidfd_getfd */, CAP_SYS_PTRACE},
    {425 /* io_uring_setup */, NO_CAP},  {426 /* io_uring_enter */, NO_CAP},
    {427 /* io_uring_register */, NO_CAP}, {428 /* open_tree */, CAP_SYS_ADMIN},
    {429 /* move_mount */, CAP_SYS_ADMIN}, {430 /* fsopen */, CAP_SYS_ADMIN},
    {431 /* fsconfig */, CAP_SYS_ADMIN},  {432 /* fsmount */, CAP_SYS_ADMIN},
    {433 /* fspick */, CAP_SYS_ADMIN},    {440 /* process_madvise */, CAP_SYS_PTRACE},
    {442 /* mount_setattr */, CAP_SYS_ADMIN}, {443 /* quotactl_fd */, CAP_SYS_ADMIN},
};

#define NAMESPACE_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
                         CLONE_NEWNET | CLONE_NEWCGROUP)
#define X32_SYSCALL_BIT 0x40000000
#define RET_ERRNO(e) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))

/*
 * Installs the deny list for the calling thread and its children (needs no_new_privs). Only
 * x86_64 syscalls pass: i386 and x32 entry points are refused as a whole, so a 32-bit binary
 * cannot reach what the list blocks through other numbers.
 */
int install_seccomp(int err_fd, unsigned long long caps) {
  struct sock_filter prog[2 * (sizeof denied / sizeof *denied) + 16];
  size_t n = 0;
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  prog[n++] = (struct sock_filter)RET_ERRNO(EPERM);
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1);
  prog[n++] = (struct sock_filter)RET_ERRNO(EPERM);
  for (size_t i = 0; i < sizeof denied / sizeof *denied; i++) {
    if (denied[i].cap != NO_CAP && (caps & (1ULL << denied[i].cap))) continue;
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied[i].nr, 0, 1);
    prog[n++] = (struct sock_filter)RET_ERRNO(EPERM);
  }
  /* clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc fall back to clone. */
  prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 435 /* clone3 */, 0, 1);
  prog[n++] = (struct sock_filter)RET_ERRNO(ENOSYS);
  if (!(caps & (1ULL << CAP_SYS_ADMIN))) {
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3);
    prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    prog[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACE_FLAGS, 0, 1);
    prog[n++] = (struct sock_filter)RET_ERRNO(EPERM);
  }
  prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog fprog = {(unsigned short)n, prog};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0) return report_error(err_fd, "install seccomp filter"), -1;
  return 0;
}
#else
int install_seccomp(int err_fd, unsigned long long caps) {
  (void)err_fd;
  (void)caps;
  return 0; /* the deny list is written for x86_64 only; see docs/architecture.md */
}
#endif

/* ------------------------------------------------------- a sealed copy of ourselves */

/*
 * CVE-2019-5736: a process in the container could open /proc/PID/exe of a shim process that
 * entered it and write to the host's orch-shim. So "run" and "exec" first re-execute from a
 * sealed memfd copy: /proc/PID/exe is then that copy, which nothing can write or resize.
 */
int reexec_sealed(char **argv) {
  char self[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len < 0) return report_error(2, "readlink /proc/self/exe"), -1;
  self[len] = 0;
  if (!strncmp(self, "/memfd:orch-shim", 16)) return 0;
  int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int mfd = (int)syscall(SYS_memfd_create, "orch-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  struct stat st;
  if (src < 0 || mfd < 0 || fstat(src, &st) < 0) return report_error(2, "copy orch-shim to a memfd"), -1;
  for (off_t done = 0; done < st.st_size;) {
    ssize_t n = sendfile(mfd, src, NULL, (size_t)(st.st_size - done));
    if (n <= 0) return report_error(2, "copy orch-shim to a memfd"), -1;
    done += n;
  }
  close(src);
  if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return report_error(2, "seal the orch-shim memfd"), -1;
  syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
  return report_error(2, "execute the sealed orch-shim"), -1;
}

/* ------------------------------------------------------- root and working directory */

/*
 * CVE-2024-21626: a working directory reached through a leaked host fd (/proc/self/fd/N) lies
 * outside the container's root; the kernel then reports the cwd as unreachable.
 */
int enter_workdir(int err_fd, const char *workdir) {
  char cwd[PATH_MAX];
  if (chdir(workdir) < 0) return report_error(err_fd, "chdir to workdir %s", workdir), -1;
  if (getcwd(cwd, sizeof cwd) == NULL || cwd[0] != '/') {
    errno = 0;
    report_error(err_fd, "workdir %s is outside the container's root filesystem", workdir);
    return -1;
  }
  return 0;
}

int make_root_readonly(int err_fd) {
  if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
    return report_error(err_fd, "make the root filesystem read-only"), -1;
  return 0;
}

/* Only 0-2 reach an exec'd program (CVE-2024-21626: no fd of the host may leak in). */
void cloexec_above_stdio(void) {
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    for (int fd = 3; fd < 65536; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
}
