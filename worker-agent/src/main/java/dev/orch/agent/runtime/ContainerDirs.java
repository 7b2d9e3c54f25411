package dev.orch.agent.runtime;

import java.nio.file.Path;

/**
 * The state directory of one container, {@code <stateRoot>/containers/<id>/}:
 *
 * <pre>
 *   config     shim config, NUL-terminated key=value records (written by Java)
 *   shim.pid   "shim-pid init-pid shim-start-ticks" (written by the shim before "started")
 *   shim.log   the shim's own stderr/stdout once it has answered
 *   exit       code=, signal=, message= lines (written by the shim when the container ends)
 *   rootfs/    overlay mount point; mounted only inside the container's mount namespace
 *   upper/     the container's writable layer
 *   work/      overlayfs work dir (same filesystem as upper/)
 *   empty/     lower dir for an image without layers
 * </pre>
 */
record ContainerDirs(Path dir) {

  static ContainerDirs of(Path containersRoot, String id) {
    return new ContainerDirs(containersRoot.resolve(id));
  }

  Path config() {
    return dir.resolve("config");
  }

  Path pidFile() {
    return dir.resolve("shim.pid");
  }

  Path shimLog() {
    return dir.resolve("shim.log");
  }

  Path exitFile() {
    return dir.resolve("exit");
  }

  Path rootfs() {
    return dir.resolve("rootfs");
  }

  Path upper() {
    return dir.resolve("upper");
  }

  Path work() {
    return dir.resolve("work");
  }

  Path emptyLower() {
    return dir.resolve("empty");
  }
}
