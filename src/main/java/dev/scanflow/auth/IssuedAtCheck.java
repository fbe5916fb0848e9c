package dev.scanflow.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Refuses tokens issued in the future: smallrye-jwt checks {@code exp} (and the token's age and
 * lifetime when configured) but not an {@code iat} ahead of now, so a token minted for next year
 * would be good until then. The same clock skew as for {@code exp} is allowed
 * ({@code mp.jwt.verify.clock.skew}, 60 seconds unless set).
 */
@ApplicationScoped
public class IssuedAtCheck implements SecurityIdentityAugmentor {

    private final long skewSeconds;

    public IssuedAtCheck(@ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60") long skewSeconds) {
        this.skewSeconds = skewSeconds;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getIssuedAtTime() > 0
                && jwt.getIssuedAtTime() > System.currentTimeMillis() / 1000 + skewSeconds) {
            return Uni.createFrom().failure(new AuthenticationFailedException("the token's iat is in the future"));
        }
        return Uni.createFrom().item(identity);
    }
}
