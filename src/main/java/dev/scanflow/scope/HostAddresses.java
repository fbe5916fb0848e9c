package dev.scanflow.scope;

import dev.scanflow.config.ScanflowConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The addresses host names resolve to, for scope checks: answered from memory
 * ({@link #known}), filled in the background ({@link #resolve}: the JVM's resolver on a worker
 * thread, never on the event loop) and kept for {@code scanflow.scope.dns-ttl}. A name that does
 * not resolve is remembered as resolving to nothing, for the same time. Names in
 * {@code scanflow.scope.static-hosts} are answered from that setting, without DNS.
 */
@ApplicationScoped
@Startup // its settings are checked at start-up: a typo stops the start, not the first dispatch
public class HostAddresses {

    /** Most names remembered; beyond, the expired ones go, then all (they are resolved again). */
    static final int MAX_ENTRIES = 10_000;

    private record Entry(List<InetAddress> addresses, Instant expires) {
    }

    private final Map<String, List<InetAddress>> statics;
    private final Duration ttl;
    private final Function<String, List<InetAddress>> resolver;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    @Inject
    public HostAddresses(ScanflowConfig config) {
        this(statics(config.scope().staticHosts().orElse(List.of())), config.scope().dnsTtl(), HostAddresses::addressesOf);
    }

    /** With another resolver than the JVM's (blocking, called on a worker thread): for tests. */
    HostAddresses(Map<String, List<InetAddress>> statics, Duration ttl, Function<String, List<InetAddress>> resolver) {
        this.statics = statics;
        this.ttl = ttl;
        this.resolver = resolver;
    }

    /** {@code name=address} entries, read strictly: a typo in the setting stops the start. */
    static Map<String, List<InetAddress>> statics(List<String> entries) {
        Map<String, List<InetAddress>> out = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : HostNames.normalize(entry.substring(0, eq));
            InetAddress address = eq < 0 ? null : IpRange.literal(entry.substring(eq + 1).trim());
            if (!HostNames.valid(name) || address == null) {
                throw new IllegalArgumentException("scanflow.scope.static-hosts: '" + entry
                        + "' is not name=address (e.g. db.internal=10.20.5.7)");
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(address);
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return Map.copyOf(out);
    }

    /** The addresses of a normalized name: null while unknown (or expired), empty when it does not resolve. */
    List<InetAddress> known(String name) {
        List<InetAddress> fixed = statics.get(name);
        if (fixed != null) {
            return fixed;
        }
        Entry e = cache.get(name);
        return e == null || e.expires().isBefore(Instant.now()) ? null : e.addresses();
    }

    /** Starts resolving the name unless it is known or being resolved. */
    void resolve(String name) {
        lookup(name).subscribe().with(v -> { }, e -> { });
    }

    /**
     * Resolves the names not known yet, all at once; done when all are, or after {@code atMost}.
     * It completes on the caller's Vert.x context (what follows may use Hibernate Reactive).
     */
    Uni<Void> resolveAll(Collection<String> names, Duration atMost) {
        List<Uni<Void>> lookups = names.stream().distinct().filter(n -> known(n) == null).map(this::lookup).toList();
        if (lookups.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        Uni<Void> all = Uni.join().all(lookups).andCollectFailures().replaceWithVoid()
                .ifNoItem().after(atMost).recoverWithItem((Void) null)
                .onFailure().recoverWithNull();
        return context == null ? all : all.emitOn(task -> context.runOnContext(v -> task.run()));
    }

    private Uni<Void> lookup(String name) {
        if (known(name) != null || !inFlight.add(name)) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().item(() -> resolver.apply(name))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(addresses -> remember(name, addresses))
                .eventually(() -> inFlight.remove(name))
                .replaceWithVoid();
    }

    private void remember(String name, List<InetAddress> addresses) {
        if (cache.size() >= MAX_ENTRIES) {
            Instant now = Instant.now();
            cache.values().removeIf(e -> e.expires().isBefore(now));
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
            }
        }
        cache.put(name, new Entry(addresses, Instant.now().plus(ttl)));
    }

    /** Blocking: the JVM's resolver (with its own cache underneath). */
    private static List<InetAddress> addressesOf(String name) {
        try {
            return List.of(InetAddress.getAllByName(name));
        } catch (UnknownHostException | SecurityException e) {
            return List.of();
        }
    }
}
