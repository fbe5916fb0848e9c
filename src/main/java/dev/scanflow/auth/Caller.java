package dev.scanflow.auth;

import io.quarkus.security.UnauthorizedException;
import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling: the tenant (the token's {@code tenant_id} claim, a UUID) and the user
 * ({@code sub}, else {@code upn}). The tenant never comes from a request body or path.
 */
@RequestScoped
public class Caller {

    public static final String TENANT_CLAIM = "tenant_id";

    /** The canonical form only: UUID.fromString also reads "1-1-1-1-1" and other short forms. */
    private static final java.util.regex.Pattern CANONICAL_UUID =
            java.util.regex.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final JsonWebToken jwt;

    public Caller(JsonWebToken jwt) {
        this.jwt = jwt;
    }

    public UUID tenantId() {
        Object claim = jwt.getClaim(TENANT_CLAIM);
        if (claim == null) {
            throw new UnauthorizedException("the token has no tenant_id claim");
        }
        String text = claim instanceof jakarta.json.JsonString s ? s.getString() : claim.toString();
        if (!CANONICAL_UUID.matcher(text).matches()) {
            throw new UnauthorizedException("the token's tenant_id is not a UUID");
        }
        return UUID.fromString(text);
    }

    public boolean hasRole(String role) {
        return jwt.getGroups() != null && jwt.getGroups().contains(role);
    }

    /**
     * The user as runs name it ({@code triggered_by: user:<this>}, {@code context.user}): the
     * token's {@code email}, else {@code preferred_username}, else the subject.
     */
    public String userName() {
        for (String claim : new String[] {"email", "preferred_username"}) {
            Object value = jwt.getClaim(claim);
            String text = value instanceof jakarta.json.JsonString s ? s.getString() : value == null ? null : value.toString();
            if (text != null && !text.isBlank()) {
                return text;
            }
        }
        return subject();
    }

    public String subject() {
        String sub = jwt.getSubject();
        if (sub == null || sub.isBlank()) {
            sub = jwt.getClaim("upn");
        }
        return sub;
    }
}
