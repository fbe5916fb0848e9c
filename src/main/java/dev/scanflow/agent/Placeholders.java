package dev.scanflow.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scanflow.protocol.ProtocolJson;
import dev.scanflow.protocol.ScanCommand;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The placeholders a tool's command line may use ({@link ArgumentTemplate}; docs/protocol.md,
 * "Placeholders"): the target with its host, scheme, port and local path worked out, the step's
 * config, the run's context, upstream outputs, and where the run's files are; the caller adds
 * {@code {source_dir}} and {@code {auth.*}} (files holding the command's credentials,
 * {@link StepCredentials}: never a value). Only here are the command's typed parts seen by their
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
