package dev.scanflow.credential;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.NameRules;
import dev.scanflow.common.TreeReader;
import dev.scanflow.domain.DurationText;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the bodies of the credentials API with every error at once, each with its path. No error
 * message quotes a value the body holds (the secret may be anywhere a user put it by mistake).
 */
final class CredentialBodies {

    static final String INVALID = "Invalid scan credential";
    static final int MAX_VALUE = 16_384;
    static final int MAX_USABLE_BY = 100;
    static final long MAX_GRACE_SECONDS = 7 * 86_400L;
    private static final Pattern HEADER = Pattern.compile("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}]");
    private static final Pattern CONTROL_BUT_LINES = Pattern.compile("[\\p{Cntrl}&&[^\\n\\r\\t]]");

    private CredentialBodies() {
    }

    /** A credential to create. Its {@code toString} never shows the value. */
    record NewCredential(String name, CredentialKind kind, String value, String username, String header,
            List<String> scope, List<String> usableBy) {

        @Override
        public String toString() {
            return "NewCredential[" + name + ", " + kind.wire + "]";
        }
    }

    /** A rotation: the new value and how long the previous one stays usable (0: not at all). */
    record Rotation(String value, long graceSeconds) {

        @Override
        public String toString() {
            return "Rotation[grace " + graceSeconds + "s]";
        }
    }

    static NewCredential create(JsonNode body) {
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(body, "$");
        if (f == null) {
            throw ApiException.invalid(INVALID, reader.errors());
        }
        String name = f.text("name");
        String kindText = f.text("kind");
        String value = f.text("value");
        String username = f.text("username");
        String header = f.text("header");
        List<String> scope = f.present("scope") ? f.strings("scope") : List.of();
        List<String> usableBy = f.present("usable_by") ? f.strings("usable_by") : null;
        f.done();
        if (name == null) {
            reader.error("$.name", "is required: a name such as github-ci (" + NameRules.NAME_TOKEN_TEXT + ")");
        } else if (!NameRules.NAME_TOKEN.matcher(name).matches()) {
            reader.error("$.name", "must be " + NameRules.NAME_TOKEN_TEXT);
        }
        CredentialKind kind = CredentialKind.of(kindText);
        if (kindText == null && !reader.hasErrorsUnder("$.kind")) {
            reader.error("$.kind", "is required: one of " + String.join(", ", CredentialKind.WIRE));
        } else if (kindText != null && kind == null) {
            reader.error("$.kind", "must be one of " + String.join(", ", CredentialKind.WIRE));
        }
        if (value == null && !reader.hasErrorsUnder("$.value")) {
            reader.error("$.value", "is required: the secret (write-only: it is never shown again)");
        } else if (value != null && kind != null) {
            value(value, kind, "$.value", reader);
        }
        if (kind != null) {
            username = part(username, kind.username, kind.defaultUsername, "$.username", "a user name", kind, reader);
            header = part(header, kind.header, kind.defaultHeader, "$.header", "a header name", kind, reader);
            if (username != null && (CONTROL.matcher(username).find() || username.length() > 256)) {
                reader.error("$.username", "must be at most 256 characters, without control characters");
            } else if (username != null && kind == CredentialKind.HTTP_BASIC && username.contains(":")) {
                reader.error("$.username", "must not contain ':' (basic authentication joins user and password with it)");
            }
            if (header != null && !HEADER.matcher(header).matches()) {
                reader.error("$.header", "must be an HTTP header name (1 to 128 letters, digits and !#$%&'*+.^_`|~-)");
            }
        }
        if (scope != null) {
            if (scope.size() > CredentialScope.MAX_PATTERNS) {
                reader.error("$.scope", "at most " + CredentialScope.MAX_PATTERNS + " patterns");
            }
            for (int i = 0; i < scope.size(); i++) {
                String problem = CredentialScope.problem(scope.get(i));
                if (problem != null) {
                    reader.error("$.scope[" + i + "]", problem);
                }
            }
        }
        if (usableBy != null) {
            if (usableBy.isEmpty()) {
                reader.error("$.usable_by", "name at least one pipeline (by name or id), or leave usable_by out to let "
                        + "every pipeline use it");
            } else if (usableBy.size() > MAX_USABLE_BY) {
                reader.error("$.usable_by", "at most " + MAX_USABLE_BY + " pipelines");
            }
            for (int i = 0; i < usableBy.size(); i++) {
                String p = usableBy.get(i);
                if (p.isBlank() || p.length() > 255 || CONTROL.matcher(p).find()) {
                    reader.error("$.usable_by[" + i + "]", "a pipeline's name or id: 1 to 255 characters, without "
                            + "control characters");
                }
            }
        }
        if (!reader.errors().isEmpty()) {
            throw ApiException.invalid(INVALID, reader.errors());
        }
        return new NewCredential(name, kind, kind.multiline ? withFinalNewline(value) : value, username, header,
                scope == null ? List.of() : List.copyOf(new LinkedHashSet<>(scope)),
                usableBy == null ? null : List.copyOf(new LinkedHashSet<>(usableBy)));
    }

    static Rotation rotate(JsonNode body, CredentialKind kind) {
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(body, "$");
        if (f == null) {
            throw ApiException.invalid(INVALID, reader.errors());
        }
        String value = f.text("value");
        String grace = f.text("grace");
        f.done();
        if (value == null && !reader.hasErrorsUnder("$.value")) {
            reader.error("$.value", "is required: the new secret");
        } else if (value != null) {
            value(value, kind, "$.value", reader);
        }
        long seconds = 0;
        if (grace != null) {
            var parsed = DurationText.parseSeconds(grace);
            if (parsed.isEmpty() || parsed.get() > MAX_GRACE_SECONDS) {
                reader.error("$.grace", "must be a duration from 0s to 7d (such as 1h or 30m): how long the commands "
                        + "made before the rotation keep the previous value");
            } else {
                seconds = parsed.get();
            }
        }
        if (!reader.errors().isEmpty()) {
            throw ApiException.invalid(INVALID, reader.errors());
        }
        return new Rotation(kind.multiline ? withFinalNewline(value) : value, seconds);
    }

    /** Checks a value for its kind; messages describe, never quote. */
    private static void value(String value, CredentialKind kind, String at, TreeReader reader) {
        if (value.isEmpty()) {
            reader.error(at, "must not be empty");
        } else if (value.length() > MAX_VALUE) {
            reader.error(at, "must be at most " + MAX_VALUE + " characters");
        } else if (kind.multiline) {
            if (CONTROL_BUT_LINES.matcher(value).find()) {
                reader.error(at, "must be text (a private key in PEM or OpenSSH format) without control characters");
            } else if (!value.contains("-----BEGIN ") || !value.contains("PRIVATE KEY-----")) {
                reader.error(at, "must be a private key in PEM or OpenSSH format (-----BEGIN ... PRIVATE KEY-----)");
            }
        } else if (CONTROL.matcher(value).find()) {
            reader.error(at, "must be one line without control characters (no line break: it goes into a header or "
                    + "a prompt)");
        } else if (!value.strip().equals(value)) {
            reader.error(at, "must not start or end with white space");
        }
    }

    /** A part beside the value (user name, header name): required, optional with a default, or refused for the kind. */
    private static String part(String given, CredentialKind.Need need, String fallback, String at, String what,
            CredentialKind kind, TreeReader reader) {
        if (need == CredentialKind.Need.NONE && given != null) {
            reader.error(at, "a " + kind.wire + " credential has no " + what);
            return null;
        }
        if (need == CredentialKind.Need.REQUIRED && given == null && !reader.hasErrorsUnder(at)) {
            reader.error(at, "is required for a " + kind.wire + " credential: " + what);
        }
        return given == null ? fallback : given;
    }

    private static String withFinalNewline(String key) {
        return key.endsWith("\n") ? key : key + "\n";
    }
}
