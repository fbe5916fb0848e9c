package dev.scanflow.finding;

import dev.scanflow.common.PathGlob;
import dev.scanflow.protocol.Finding;
import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A suppression as it is matched against findings: by a finding's identity, or by rule and a
 * pattern on where the finding is (a path glob against the file or the URL's path, a host or
 * {@code *.domain} against the host), optionally on one asset, until it expires.
 */
public record SuppressionRule(UUID id, UUID assetId, String identity, String ruleId, String pattern, Instant expiresAt,
        Pattern glob) {

    public SuppressionRule(UUID id, UUID assetId, String identity, String ruleId, String pattern, Instant expiresAt) {
        this(id, assetId, identity, ruleId, pattern, expiresAt, pattern == null ? null
                : PathGlob.compile(pattern.trim().startsWith("/") ? pattern.trim().substring(1) : pattern.trim()));
    }

    public boolean inForce(Instant now) {
        return expiresAt == null || expiresAt.isAfter(now);
    }

    public boolean matches(UUID asset, String findingIdentity, Finding f) {
        if (assetId != null && !assetId.equals(asset)) {
            return false;
        }
        if (identity != null) {
            return identity.equals(findingIdentity);
        }
        if (!ruleId.equals(f.ruleId())) {
            return false;
        }
        return pattern == null || placeMatches(pattern, glob, f.location());
    }

    /** Whether a suppression pattern (and its glob, compiled once) fits where a finding is. */
    static boolean placeMatches(String pattern, Pattern glob, Finding.Location at) {
        if (at == null) {
            return false;
        }
        String p = pattern.trim();
        if (at.host() != null && hostMatches(p, at.host())) {
            return true;
        }
        if (at.file() != null && glob.matcher(FindingIdentity.path(at.file())).matches()) {
            return true;
        }
        if (at.url() != null) {
            try {
                URI u = URI.create(at.url().trim());
                if (u.getHost() != null && hostMatches(p, u.getHost())) {
                    return true;
                }
                String path = u.getPath() == null ? "" : u.getPath();
                return glob.matcher(path.startsWith("/") ? path.substring(1) : path).matches();
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    static boolean hostMatches(String pattern, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        String p = pattern.toLowerCase(Locale.ROOT);
        return p.startsWith("*.") ? h.endsWith(p.substring(1)) : h.equals(p);
    }
}
