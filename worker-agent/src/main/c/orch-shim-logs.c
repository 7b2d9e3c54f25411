/*
 * The log relay of "orch-shim run": the container's stdout and stderr are pipes that the shim
 * reads, and every line goes to the task's log file as one record in the CRI log format
 * (what kubelet and containerd write):
 *
 *     2026-11-25T10:00:00.123456789Z stdout F hello\n
 *
 * The time (UTC, always nine fraction digits) is taken when the shim reads the bytes; the
 * stream is stdout or stderr; the tag is F for a full line, P for a part of one: a line longer
 * than LOG_LINE_MAX is cut into P records and ends with an F record, and bytes left without a
 * newline when the stream closes are one last P record. The agent's LogReader joins them again.
 *
 * Records are appended with one write(2) per read(2) of the pipe (O_APPEND), so a record is
 * never interleaved with another. A write that fails (disk full) drops what it carried rather
 * than stopping the container's output.
 */
#include "orch-shim.h"

#define LOG_LINE_MAX (16 * 1024)        /* longest record content; longer lines become P records */
#define LOG_READ_MAX (64 * 1024)        /* one read(2) of a pipe, and the pending bytes of a line */
#define LOG_OUT_MAX (LOG_READ_MAX * 2)  /* records are batched up to this before a write(2) */
#define LOG_DRAIN_IDLE_MS 1000          /* after the exit: give up on pipes idle this long ... */
#define LOG_DRAIN_MAX_MS 5000           /* ... or still open this long (a writer outside the container) */

struct log_stream {
  int fd; /* read end of the pipe, -1 once closed */
  const char *name;
  size_t name_len;
  char buf[LOG_READ_MAX];
  size_t len; /* bytes of an unfinished line at the start of buf, always < LOG_LINE_MAX */
};

static struct {
  int log_fd;
  struct log_stream s[2];
  char out[LOG_OUT_MAX];
  size_t out_len;
  char stamp[40];
  size_t stamp_len;
} relay;

static void flush_records(void) {
  if (relay.out_len > 0 && write_all(relay.log_fd, relay.out, relay.out_len) < 0)
    fprintf(stderr, "orch-shim: log write failed, %zu bytes dropped: %s\n", relay.out_len, strerror(errno));
  relay.out_len = 0;
}

static void take_time(void) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(relay.stamp, sizeof relay.stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  relay.stamp_len = n + (size_t)snprintf(relay.stamp + n, sizeof relay.stamp - n, ".%09ldZ", ts.tv_nsec);
}

/* Plain copies, no printf: a line of output costs a few dozen bytes of copying here. */
static void add_record(const struct log_stream *s, char tag, const char *content, size_t len) {
  size_t head = relay.stamp_len + s->name_len + 5;
  if (relay.out_len + head + len > sizeof relay.out) flush_records();
  char *p = relay.out + relay.out_len;
  memcpy(p, relay.stamp, relay.stamp_len);
  p += relay.stamp_len;
  *p++ = ' ';
  memcpy(p, s->name, s->name_len);
  p += s->name_len;
  *p++ = ' ';
  *p++ = tag;
  *p++ = ' ';
  memcpy(p, content, len);
  p += len;
  *p++ = '\n';
  relay.out_len = (size_t)(p - relay.out);
}

/* One line's bytes (without its newline): P records of LOG_LINE_MAX, then the rest as `last_tag`. */
static void add_line(const struct log_stream *s, const char *p, size_t len, char last_tag) {
  while (len > LOG_LINE_MAX) {
    add_record(s, 'P', p, LOG_LINE_MAX);
    p += LOG_LINE_MAX;
    len -= LOG_LINE_MAX;
  }
  if (len > 0 || last_tag == 'F') add_record(s, last_tag, p, len);
}

/* Reads what the pipe holds and appends its records; at EOF the unfinished line is a P record. */
static void relay_read(struct log_stream *s) {
  ssize_t n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  take_time();
  if (n <= 0) {
    add_line(s, s->buf, s->len, 'P');
    s->len = 0;
    close(s->fd);
    s->fd = -1;
    flush_records();
    return;
  }
  size_t end = s->len + (size_t)n, start = 0;
  for (char *nl; (nl = memchr(s->buf + start, '\n', end - start)) != NULL;) {
    add_line(s, s->buf + start, (size_t)(nl - s->buf) - start, 'F');
    start = (size_t)(nl - s->buf) + 1;
  }
  /* A line still open keeps fewer than LOG_LINE_MAX bytes pending; its head goes out as P now. */
  while (end - start >= LOG_LINE_MAX) {
    add_record(s, 'P', s->buf + start, LOG_LINE_MAX);
    start += LOG_LINE_MAX;
  }
  memmove(s->buf, s->buf + start, end - start);
  s->len = end - start;
  flush_records();
}

/*
 * Opens the log file and the two pipes. The write ends (for the container's stdout and stderr)
 * go to child_out/child_err; the caller closes them once the container holds them.
 */
int log_relay_open(const char *log_path, int *child_out, int *child_err, int err_fd) {
  int out[2], err[2];
  relay.log_fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (relay.log_fd < 0) return report_error(err_fd, "open log file %s", log_path), -1;
  if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) return report_error(err_fd, "log pipe"), -1;
  relay.s[0].fd = out[0];
  relay.s[0].name = "stdout";
  relay.s[0].name_len = 6;
  relay.s[1].fd = err[0];
  relay.s[1].name = "stderr";
  relay.s[1].name_len = 6;
  *child_out = out[1];
  *child_err = err[1];
  return 0;
}

/* The read ends, for the container's init to close: it must not keep the pipes open. */
void log_relay_read_fds(int fds[2]) {
  fds[0] = relay.s[0].fd;
  fds[1] = relay.s[1].fd;
}

static long long monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Relays the container's output until init reports the exit on status_fd (its line goes to
 * line, empty when init died without one) and both pipes are at EOF: every process of the
 * container is gone then, so nothing written is lost. A descriptor passed to a process outside
 * the container could keep a pipe open forever; the drain gives up after LOG_DRAIN_*.
 */
void log_relay_until_exit(int status_fd, char *line, size_t cap) {
  size_t line_len = 0;
  int exited = 0;
  long long drain_deadline = 0;
  line[0] = 0;
  for (;;) {
    if (exited && ((relay.s[0].fd < 0 && relay.s[1].fd < 0) || monotonic_ms() >= drain_deadline)) break;
    struct pollfd p[3] = {{exited ? -1 : status_fd, POLLIN, 0}, {relay.s[0].fd, POLLIN, 0}, {relay.s[1].fd, POLLIN, 0}};
    int timeout = -1;
    if (exited) {
      long long left = drain_deadline - monotonic_ms();
      timeout = left < LOG_DRAIN_IDLE_MS ? (int)left : LOG_DRAIN_IDLE_MS;
    }
    int ready = poll(p, 3, timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break; /* a poll failure, or the drain gave up */
    if (p[0].revents) {
      ssize_t n = read(status_fd, line + line_len, cap - 1 - line_len);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) line_len += (size_t)n;
      line[line_len] = 0;
      if (n <= 0 || memchr(line, '\n', line_len) || line_len == cap - 1) {
        exited = 1;
        drain_deadline = monotonic_ms() + LOG_DRAIN_MAX_MS;
      }
    }
    for (int i = 0; i < 2; i++)
      if (p[i + 1].revents) relay_read(&relay.s[i]);
  }
  take_time();
  for (int i = 0; i < 2; i++) {
    if (relay.s[i].fd < 0) continue;
    add_line(&relay.s[i], relay.s[i].buf, relay.s[i].len, 'P');
    close(relay.s[i].fd);
    relay.s[i].fd = -1;
  }
  flush_records();
}
