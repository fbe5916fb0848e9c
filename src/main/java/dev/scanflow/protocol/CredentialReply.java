package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The answer to a {@link CredentialRequest}: the values of the command's credentials whose scope
 * admits the command's target, or an {@code error} (unknown or ended command, another worker's
 * command, a credential out of scope) and none. Held in memory by the worker for the command
 * only; never logged, never written.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CredentialReply(String commandId, List<Credential> credentials, String error) {

    /**
     * One credential's value: {@code username} for {@code http_basic} (and optionally
     * {@code git_token}), {@code header} for {@code http_header} and {@code api_key}, {@code value}
     * the secret (a token, a private key, a password, a header value, a cookie string).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Credential(String name, String kind, String use, String username, String header, String value) {

        /** Never the value. */
        @Override
        public String toString() {
            return "Credential[" + name + ", " + kind + ", " + use + "]";
        }
    }
}
