package dev.scanflow.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.ScanCommand;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The placeholders a tool's command line may use ({@link ArgumentTemplate}; docs/protocol.md,
 * "Placeholders"): the target with its host, scheme, port and local path worked out, the step's
 * config, the run's context, upstream outputs, and where the run's files are; the caller adds
 * {@code {source_dir}} and {@code {auth.*}} (files holding the command's credentials,
 * {@link StepCredentials}: never a value). {@code {limits.*}} is how gently to scan (protocol
 * 2.3): {@code requests_per_second} and {@code delay_seconds}, absent when no rate is set, so an
 * entry writes them as lists ({@code "--max-rate={limits.requests_per_second[]}"}) and the
 * option is left out. Only here are the command's typed parts seen by their
 * wire names ({target.host}, {config.ports}, {upstream.<step>.output.<key>}), as the protocol
 * writes them.
 */
final class Placeholders {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Placeholders() {
    }

    /** The variables for one run of a tool; {@code source_dir} is added by the caller once checked out. */
    static Map<String, Object> of(ScanCommand.Payload payload, WorkerConfig config, Path outputFile, Path workdir,
            long timeoutSeconds) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("target", target(payload.target()));
        vars.put("config", payload.stepConfig());
        vars.put("limits", limits(payload));
        vars.put("context", payload.context());
        vars.put("upstream", JSON.convertValue(ProtocolJson.tree(payload.upstream()), Map.class));
        vars.put("output_file", outputFile.toString());
        vars.put("workdir", workdir.toString());
        vars.put("timeout_seconds", timeoutSeconds);
        vars.put("step_id", payload.stepId());
        vars.put("config_dir", config.configDir());
        vars.put("tools_dir", toolsDir());
        return vars;
    }

    /**
     * {@code target} (the budget's key, when the command has {@code limits}), and, when a rate is
     * set, {@code requests_per_second}: {@code payload.limits}' rate, else (a protocol 2.2
     * server) the step config's {@code rate_limit}; and {@code delay_seconds}, the pause one
     * thread makes between its requests to stay at or under that rate (1/rate, rounded up to the
     * millisecond: 50 gives 0.02), for tools that take a delay rather than a rate (ffuf 1.x
     * {@code -p}). A rate that is not a whole number of at least 1 is no rate.
     */
    static Map<String, Object> limits(ScanCommand.Payload payload) {
        Map<String, Object> limits = new LinkedHashMap<>();
        if (payload.limits() != null && payload.limits().target() != null) {
            limits.put("target", payload.limits().target());
        }
        Integer rate = payload.rateLimit();
        if (rate == null && payload.stepConfig() != null) {
            rate = wholeRate(payload.stepConfig().get("rate_limit"));
        }
        if (rate != null && rate >= 1) {
            limits.put("requests_per_second", rate);
            long millis = (1000 + rate - 1) / rate; // rounded up: never faster than the rate
            limits.put("delay_seconds", BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString());
        }
        return limits;
    }

    /** A config's rate as a whole number (50, 50.0, "50"), else null. */
    private static Integer wholeRate(Object value) {
        try {
            BigDecimal rate = value instanceof Number n ? new BigDecimal(n.toString())
                    : value instanceof String s ? new BigDecimal(s.trim()) : null;
            return rate == null || rate.signum() <= 0 ? null : rate.intValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    /**
     * The target as the protocol writes it, plus {@code host}, {@code scheme}, {@code port} and, for a
     * file URL, {@code path}.
     */
    private static Map<String, Object> target(ScanCommand.Target typed) {
        @SuppressWarnings("unchecked")
        Map<String, Object> target = JSON.convertValue(ProtocolJson.tree(typed), Map.class);
        target = target == null ? new LinkedHashMap<>() : new LinkedHashMap<>(target);
        String url = target.get("url") instanceof String s ? s : null;
        String host = null;
        String scheme = null;
        Integer port = null;
        if (url != null && !url.isBlank()) {
            try {
                URI uri = URI.create(url);
                host = uri.getHost();
                scheme = uri.getScheme();
                // (not a ternary: 443 : 80 : null would unbox the null)
                if (uri.getPort() > 0) {
                    port = uri.getPort();
                } else if ("https".equals(uri.getScheme())) {
                    port = 443;
                } else if ("http".equals(uri.getScheme())) {
                    port = 80;
                }
            } catch (IllegalArgumentException ignored) {
                // not a URL: use the name
            }
        }
        if (host == null && target.get("name") instanceof String name) {
            host = name;
        }
        target.put("host", host);
        target.put("scheme", scheme);
        if (url != null && url.startsWith("file:")) {
            try {
                target.put("path", Path.of(URI.create(url)).toString()); // a local archive or checkout
            } catch (IllegalArgumentException ignored) {
                // not a usable file URL
            }
        }
        target.putIfAbsent("port", port);
        return target;
    }

    /** Where scripts/install-scanners.sh put the npm-installed scanners: SCANFLOW_TOOLS, else ~/.local/share/scanflow/tools. */
    static String toolsDir() {
        String dir = System.getenv("SCANFLOW_TOOLS");
        return dir != null && !dir.isBlank() ? dir
                : Path.of(System.getProperty("user.home"), ".local", "share", "scanflow", "tools").toString();
    }
}
