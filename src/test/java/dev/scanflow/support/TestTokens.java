package dev.scanflow.support;

import io.smallrye.jwt.build.Jwt;
import java.util.Set;
import java.util.UUID;

/** Tokens signed with the dev key (test profile), as an identity provider would issue them. */
public final class TestTokens {

    public static final String ISSUER = "scanflow-dev";

    private TestTokens() {
    }

    private static final java.security.PrivateKey DEV_KEY = devKey();

    public static String token(UUID tenant, String... roles) {
        return Jwt.issuer(ISSUER)
                .subject("user-" + String.join("-", roles))
                .groups(Set.of(roles))
                .claim("tenant_id", tenant.toString())
                .sign(DEV_KEY);
    }

    /** The dev key pair's private key (dev/keys), read directly: ITs run outside the Quarkus test profile. */
    public static java.security.PrivateKey devKey() {
        try {
            return io.smallrye.jwt.util.KeyUtils.decodePrivateKey(
                    java.nio.file.Files.readString(java.nio.file.Path.of("dev/keys/jwt-private.pem")));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read dev/keys/jwt-private.pem", e);
        }
    }

    /** A token with an email claim, as most identity providers issue one. */
    public static String withEmail(UUID tenant, String email, String... roles) {
        return Jwt.issuer(ISSUER)
                .subject(UUID.randomUUID().toString())
                .claim("email", email)
                .groups(Set.of(roles))
                .claim("tenant_id", tenant.toString())
                .sign(DEV_KEY);
    }

    public static String admin(UUID tenant) {
        return token(tenant, "admin");
    }
}
