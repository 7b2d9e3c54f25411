package dev.orch.ctl;

/**
 * A well-formed command that could not be carried out (unreachable manager, refused by the server,
 * unreadable file). The message is printed after {@code error: } as is. Exits with
 * {@link ExitCodes#FAILURE}.
 */
public class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandFailedException(String message) {
        super(message, null, false, false);
    }

    public CommandFailedException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
