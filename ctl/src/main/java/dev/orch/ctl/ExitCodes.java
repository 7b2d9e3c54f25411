package dev.orch.ctl;

/** The exit codes of orchctl; scripts rely on them, so they are part of the interface. */
public final class ExitCodes {
    /** The command did what was asked. */
    public static final int OK = 0;
    /** The request was well formed but failed: manager unreachable, refused by the server, I/O. */
    public static final int FAILURE = 1;
    /** The command line itself is wrong: unknown option, bad value, missing argument or address. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
