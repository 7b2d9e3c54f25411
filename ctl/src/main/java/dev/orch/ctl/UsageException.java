package dev.orch.ctl;

/**
 * The user's command line or configuration is wrong. The message is printed after {@code error: }
 * as is, so it must name the offending value and how to fix it. Exits with {@link ExitCodes#USAGE}.
 */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
