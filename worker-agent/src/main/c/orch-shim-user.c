/*
 * The container's user (Docker's USER / --user): "name", "uid", "name:group" or "uid:gid",
 * resolved against the image's own /etc/passwd and /etc/group. Parsed by hand rather than with
 * getpwnam: a static binary's NSS would load host modules, and the image's files are what count.
 */
#include "orch-shim.h"

/* Finds the line of a colon-separated file whose field 0 (by name) or field 2 (by id) matches. */
static int find_entry(const char *file, const char *name, long id, char *fields[7], char *line, size_t cap) {
  FILE *f = fopen(file, "re");
  if (!f) return 0;
  int found = 0;
  while (!found && fgets(line, (int)cap, f)) {
    line[strcspn(line, "\n")] = 0;
    int n = 0;
    for (char *p = line, *tok; n < 7 && (tok = strsep(&p, ":")) != NULL;) fields[n++] = tok;
    for (int i = n; i < 7; i++) fields[i] = "";
    if (n >= 3 && (name ? !strcmp(fields[0], name) : strtol(fields[2], NULL, 10) == id)) found = 1;
  }
  fclose(f);
  return found;
}

static int all_digits(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (*s < '0' || *s > '9') return 0;
  return 1;
}

/* Supplementary groups: every group of /etc/group that lists the user as a member. */
static void find_groups(const char *user, struct user_ids *u) {
  char line[4096];
  FILE *f = fopen("/etc/group", "re");
  u->groups[0] = u->gid;
  u->ngroups = 1;
  if (!f || !user) {
    if (f) fclose(f);
    return;
  }
  while (u->ngroups < 64 && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    char *p = line, *fields[4] = {"", "", "", ""};
    for (int n = 0; n < 4 && p; n++) fields[n] = strsep(&p, ":");
    for (char *m = fields[3], *tok; (tok = strsep(&m, ",")) != NULL;)
      if (!strcmp(tok, user)) u->groups[u->ngroups++] = (gid_t)strtoul(fields[2], NULL, 10);
  }
  fclose(f);
}

int resolve_user(const char *spec, struct user_ids *u, int err_fd) {
  char buf[256], line[4096], *fields[7];
  snprintf(buf, sizeof buf, "%s", spec && *spec ? spec : "0");
  char *group = strchr(buf, ':');
  if (group) *group++ = 0;
  memset(u, 0, sizeof *u);
  const char *name = NULL;
  int known = all_digits(buf) ? find_entry("/etc/passwd", NULL, strtol(buf, NULL, 10), fields, line, sizeof line)
                              : find_entry("/etc/passwd", buf, 0, fields, line, sizeof line);
  if (!known && !all_digits(buf)) {
    errno = 0;
    report_error(err_fd, "user %s is not in the image's /etc/passwd", buf);
    return -1;
  }
  u->uid = (uid_t)(known ? strtoul(fields[2], NULL, 10) : strtoul(buf, NULL, 10));
  u->gid = (gid_t)(known ? strtoul(fields[3], NULL, 10) : 0);
  snprintf(u->home, sizeof u->home, "%s", known && *fields[5] ? fields[5] : (u->uid == 0 ? "/root" : "/"));
  if (known) {
    static char user_name[256];
    snprintf(user_name, sizeof user_name, "%s", fields[0]);
    name = user_name;
  }
  find_groups(name, u);
  if (group) {
    char gline[4096], *gfields[7];
    if (all_digits(group)) {
      u->gid = (gid_t)strtoul(group, NULL, 10);
    } else if (find_entry("/etc/group", group, 0, gfields, gline, sizeof gline)) {
      u->gid = (gid_t)strtoul(gfields[2], NULL, 10);
    } else {
      errno = 0;
      report_error(err_fd, "group %s is not in the image's /etc/group", group);
      return -1;
    }
    u->groups[0] = u->gid; /* an explicit group replaces the primary one, as in Docker */
  }
  return 0;
}

/* Adds HOME from the user's passwd entry unless the container's env sets it. */
void default_home(struct config *cfg, const struct user_ids *u) {
  static char home[300];
  for (int i = 0; i < cfg->nenv; i++)
    if (!strncmp(cfg->env[i], "HOME=", 5)) return;
  if (cfg->nenv >= MAX_ITEMS) return;
  snprintf(home, sizeof home, "HOME=%s", u->home);
  cfg->env[cfg->nenv++] = home;
}

/* Drops to the user; for a non-root user the kernel then clears the capability sets. */
int become_user(const struct user_ids *u) {
  /* Without CAP_SETGID (--cap-drop) root stays root with the groups it has; setgid/setuid to the
   * ids a process already has need no capability. */
  if (setgroups((size_t)u->ngroups, u->groups) < 0 && !(errno == EPERM && u->uid == getuid() && u->gid == getgid()))
    return -1;
  if (setgid(u->gid) < 0 || setuid(u->uid) < 0) return -1;
  return 0;
}
