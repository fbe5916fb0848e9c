package dev.scanflow.credential;

import java.util.Arrays;
import java.util.List;

/**
 * The kinds of scan credential and what each holds besides its secret value: a {@code username}
 * ({@code git_token}: optional, {@code x-access-token} by default; {@code http_basic}: required)
 * and a {@code header} name ({@code http_header}: required; {@code api_key}: optional,
 * {@code X-API-Key} by default). The defaults are stored, so the API and the worker see the same.
 */
enum CredentialKind {

    GIT_TOKEN("git_token", Need.OPTIONAL, Need.NONE, "x-access-token", null, false),
    GIT_SSH_KEY("git_ssh_key", Need.NONE, Need.NONE, null, null, true),
    HTTP_HEADER("http_header", Need.NONE, Need.REQUIRED, null, null, false),
    HTTP_BASIC("http_basic", Need.REQUIRED, Need.NONE, null, null, false),
    COOKIE("cookie", Need.NONE, Need.NONE, null, null, false),
    API_KEY("api_key", Need.NONE, Need.OPTIONAL, null, "X-API-Key", false);

    enum Need { NONE, OPTIONAL, REQUIRED }

    final String wire;
    final Need username;
    final Need header;
    final String defaultUsername;
    final String defaultHeader;
    /** The value spans lines (a private key); every other value is one line, as it goes into a header or a prompt. */
    final boolean multiline;

    CredentialKind(String wire, Need username, Need header, String defaultUsername, String defaultHeader,
            boolean multiline) {
        this.wire = wire;
        this.username = username;
        this.header = header;
        this.defaultUsername = defaultUsername;
        this.defaultHeader = defaultHeader;
        this.multiline = multiline;
    }

    static final List<String> WIRE = Arrays.stream(values()).map(k -> k.wire).toList();

    static CredentialKind of(String wire) {
        return Arrays.stream(values()).filter(k -> k.wire.equals(wire)).findFirst().orElse(null);
    }
}
