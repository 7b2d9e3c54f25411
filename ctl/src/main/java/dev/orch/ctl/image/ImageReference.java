package dev.orch.ctl.image;

/**
 * Splits a normalized reference into docker's REPOSITORY and TAG columns. The tag is after the
 * last colon only when that colon follows the last slash, since {@code registry:5000/app} has a
 * port, not a tag.
 */
record ImageReference(String repository, String tag) {
    static final String NONE = "<none>";

    static ImageReference parse(String reference) {
        int at = reference.indexOf('@');
        if (at >= 0) {
            return new ImageReference(reference.substring(0, at), NONE);
        }
        int colon = reference.lastIndexOf(':');
        if (colon > reference.lastIndexOf('/')) {
            return new ImageReference(reference.substring(0, colon), reference.substring(colon + 1));
        }
        return new ImageReference(reference, NONE);
    }
}
