package dev.scanflow.common;

import java.util.regex.Pattern;

/**
 * The name rules shared by the API's readers, each written once: a rule spelt in several places
 * drifts (channel names once allowed 63 characters where templates naming them allowed 64, so a
 * template could name a channel that could never be created).
 */
public final class NameRules {

    /** Most characters a name token may have. */
    public static final int MAX_NAME_LENGTH = 64;

    /**
     * A name token: capabilities, tools, channel and trigger names, webhook events, the fields a
     * heartbeat announces. Lowercase, so that two spellings never name two things.
     */
    public static final Pattern NAME_TOKEN = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0," + (MAX_NAME_LENGTH - 1) + "}$");

    /** What a name token may hold, for error messages. */
    public static final String NAME_TOKEN_TEXT = "1 to " + MAX_NAME_LENGTH
            + " of a-z, 0-9, '.', '_', '-', starting with a letter or digit";

    /** Most characters a tag may have. */
    public static final int MAX_TAG_LENGTH = 63;

    /** A tag of an asset or a template: letters of either case, digits and {@code _.:/-}. */
    public static final Pattern TAG = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.:/-]{0," + (MAX_TAG_LENGTH - 1) + "}$");

    /** What a tag may hold, for error messages. */
    public static final String TAG_TEXT = "letters, digits, _.:/-, at most " + MAX_TAG_LENGTH;

    private NameRules() {
    }
}
