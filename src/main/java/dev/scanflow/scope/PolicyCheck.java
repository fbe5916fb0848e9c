package dev.scanflow.scope;

import dev.scanflow.domain.ScopeCheck.Verdict;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The scan policy's rules applied to a step's targets, in plain Java (the addresses come from a
 * {@link Lookup}). For every target: an exclusion it matches refuses it (a range that contains
 * its address or overlaps its range, a host pattern or URL pattern that matches its name, a
 * range that contains any address its name resolves to); then, when {@code allowed_targets} is
 * not empty, it must match an allowed host or URL pattern by name, or lie wholly inside an
 * allowed range (a name: every address it resolves to). A name is resolved only when a range
 * could decide. The first target refused refuses the step; fail closed: a value that cannot
 * be checked, a step with no target, or a name that does not resolve while ranges decide.
 */
final class PolicyCheck {

    // the kinds of refusal (the metric's label: a fixed set, never a host)
    static final String EXCLUDED = "excluded";
    static final String NOT_ALLOWED = "not_allowed";
    static final String UNRESOLVABLE = "unresolvable";
    static final String UNCHECKABLE = "uncheckable";
    static final String NO_TARGET = "no_target";
    static final String NO_POLICY = "no_policy";

    /** The addresses a name resolves to: null while unknown, empty when it does not resolve. */
    @FunctionalInterface
    interface Lookup {
        List<InetAddress> addresses(String host);
    }

    /** Refused ({@code blocked}), or waiting for the names in {@code resolving}, or allowed. */
    record Result(Verdict blocked, List<String> resolving) {

        boolean allowed() {
            return blocked == null && resolving.isEmpty();
        }
    }

    private PolicyCheck() {
    }

    static Result check(ScanPolicy policy, ScanTargets.Found found, Lookup lookup) {
        if (!found.uncheckable().isEmpty()) {
            return refused(UNCHECKABLE, found.uncheckable().get(0) + " is not a host, address, CIDR range or URL "
                    + "the scope guard can check");
        }
        if (found.targets().isEmpty()) {
            return refused(NO_TARGET, "the step names no target to check (the asset has no URL with a host and no "
                    + "host name, and the step's config names none)");
        }
        List<String> resolving = new ArrayList<>();
        for (ScanTargets.Target t : found.targets()) {
            Verdict v = t.range() != null ? range(policy, t) : name(policy, t, lookup, resolving);
            if (v != null) {
                return new Result(v, List.of());
            }
        }
        return new Result(null, List.copyOf(resolving));
    }

    /** The names whose addresses the policy needs for these targets (to resolve ahead of dispatch). */
    static List<String> namesToResolve(ScanPolicy policy, ScanTargets.Found found) {
        List<String> names = new ArrayList<>();
        check(policy, found, host -> {
            names.add(host);
            return null;
        });
        return names;
    }

    /** The wait of the blackout windows open at {@code now} (until the last of them closes), or null. */
    static Verdict blackout(ScanPolicy policy, Instant now) {
        Instant until = null;
        BlackoutWindow longest = null;
        for (BlackoutWindow w : policy.blackouts()) {
            Instant end = w.openUntil(now);
            if (end != null && (until == null || end.isAfter(until))) {
                until = end;
                longest = w;
            }
        }
        return until == null ? null : Verdict.waitUntil("blackout window " + longest + " until " + until, until);
    }

    private static Verdict range(ScanPolicy policy, ScanTargets.Target t) {
        for (TargetRule e : policy.excluded()) {
            if (e.kind == TargetRule.Kind.RANGE && e.range.overlaps(t.range())) {
                return Verdict.block(EXCLUDED, label(t) + (t.range().single() ? " is in" : " overlaps")
                        + " excluded_targets " + e);
            }
        }
        if (policy.allowed().isEmpty() || policy.allowed().stream()
                .anyMatch(a -> a.kind == TargetRule.Kind.RANGE && a.range.contains(t.range()))) {
            return null;
        }
        return Verdict.block(NOT_ALLOWED, label(t) + " is not in allowed_targets");
    }

    private static Verdict name(ScanPolicy policy, ScanTargets.Target t, Lookup lookup, List<String> resolving) {
        String name = t.host();
        for (TargetRule e : policy.excluded()) {
            if (e.kind == TargetRule.Kind.HOST && e.matchesHost(name)) {
                return Verdict.block(EXCLUDED, label(t) + " matches excluded_targets " + e);
            }
            if (e.kind == TargetRule.Kind.URL && t.path() != null && e.matchesUrl(name, t.path())) {
                return Verdict.block(EXCLUDED, label(t) + " (" + name + "/" + TargetRule.trimPath(t.path())
                        + ") matches excluded_targets " + e);
            }
        }
        boolean byName = policy.allowed().isEmpty() || policy.allowed().stream().anyMatch(a ->
                (a.kind == TargetRule.Kind.HOST && a.matchesHost(name))
                        || (t.path() != null && a.matchesUrl(name, t.path())));
        boolean excludedRanges = policy.excluded().stream().anyMatch(e -> e.kind == TargetRule.Kind.RANGE);
        boolean allowedRanges = policy.allowed().stream().anyMatch(a -> a.kind == TargetRule.Kind.RANGE);
        if (!excludedRanges && (byName || !allowedRanges)) {
            return byName ? null : Verdict.block(NOT_ALLOWED, label(t) + " is not in allowed_targets");
        }
        List<InetAddress> addresses = lookup.addresses(name);
        if (addresses == null) {
            if (!resolving.contains(name)) {
                resolving.add(name);
            }
            return null;
        }
        if (addresses.isEmpty()) {
            return Verdict.block(UNRESOLVABLE, label(t) + " does not resolve, so it cannot be checked against the "
                    + "policy's address ranges");
        }
        for (InetAddress a : addresses) {
            for (TargetRule e : policy.excluded()) {
                if (e.kind == TargetRule.Kind.RANGE && e.range.contains(a)) {
                    return Verdict.block(EXCLUDED, label(t) + " resolves to " + IpRange.of(a) + ", in excluded_targets " + e);
                }
            }
        }
        if (byName || addresses.stream().allMatch(a -> policy.allowed().stream()
                .anyMatch(r -> r.kind == TargetRule.Kind.RANGE && r.range.contains(a)))) {
            return null;
        }
        return Verdict.block(NOT_ALLOWED, label(t) + " (resolving to " + String.join(", ",
                addresses.stream().map(a -> IpRange.of(a).toString()).toList()) + ") is not in allowed_targets");
    }

    private static String label(ScanTargets.Target t) {
        return t.shown() + (t.source().startsWith("config") ? " (" + t.source() + ")" : "");
    }

    private static Result refused(String kind, String rule) {
        return new Result(Verdict.block(kind, rule), List.of());
    }
}
