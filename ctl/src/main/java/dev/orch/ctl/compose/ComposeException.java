package dev.orch.ctl.compose;

import dev.orch.ctl.UsageException;

/** A problem in a compose file, its message starting with FILE:LINE:COL. */
public final class ComposeException extends UsageException {
    public ComposeException(YamlNode.Position at, String message) {
        super(at + ": " + message);
    }
}
