package dev.scanflow.agent;

import dev.scanflow.protocol.CredentialReply.Credential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The HTTP header an HTTP credential stands for: {@code http_header} its header and value,
 * {@code http_basic} {@code Authorization: Basic} of user:password, {@code cookie} a
 * {@code Cookie} header, {@code api_key} its header (default {@code X-API-Key}). Git kinds have
 * none.
 */
final class AuthHeaders {

    static final String DEFAULT_API_KEY_HEADER = "X-API-Key";

    private AuthHeaders() {
    }

    static boolean isHttp(Credential c) {
        return switch (c.kind() == null ? "" : c.kind()) {
            case "http_header", "http_basic", "cookie", "api_key" -> true;
            default -> false;
        };
    }

    /** {@code Name: value}, or null for a credential that is not an HTTP one. */
    static String line(Credential c) throws CredentialsUnavailable {
        String line = switch (c.kind() == null ? "" : c.kind()) {
            case "http_header" -> {
                if (c.header() == null || c.header().isBlank()) {
                    throw new CredentialsUnavailable("credential " + c.name() + " (http_header) names no header");
                }
                yield c.header().strip() + ": " + c.value();
            }
            case "http_basic" -> "Authorization: Basic " + Base64.getEncoder().encodeToString(
                    ((c.username() == null ? "" : c.username()) + ":" + c.value()).getBytes(StandardCharsets.UTF_8));
            case "cookie" -> "Cookie: " + c.value();
            case "api_key" -> (c.header() == null || c.header().isBlank() ? DEFAULT_API_KEY_HEADER : c.header().strip())
                    + ": " + c.value();
            default -> null;
        };
        if (line != null && (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0)) {
            // one header per line in the files tools read: a line break would add headers
            throw new CredentialsUnavailable("credential " + c.name() + " (" + c.kind()
                    + ") has a line break in its header or value");
        }
        return line;
    }
}
