package dev.scanflow.support;

import io.smallrye.jwt.build.Jwt;
import java.util.Set;
import java.util.UUID;

/** Tokens signed with the dev key (test profile), as an identity provider would issue them. */
public final class TestTokens {

    public static final String ISSUER = "scanflow-dev";

    private TestTokens() {
    }

    public static String token(UUID tenant, String... roles) {
        return Jwt.issuer(ISSUER)
                .subject("user-" + String.join("-", roles))
                .groups(Set.of(roles))
                .claim("tenant_id", tenant.toString())
                .sign();
    }

    public static String admin(UUID tenant) {
        return token(tenant, "admin");
    }
}
