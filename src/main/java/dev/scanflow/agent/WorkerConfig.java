package dev.scanflow.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.scanflow.protocol.WorkerIds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The reference worker's configuration (YAML, see examples/worker.yaml). Environment variables
 * override the file: SCANFLOW_WORKER_ID, SCANFLOW_WORKER_TENANT_ID, SCANFLOW_WORKER_NATS,
 * SCANFLOW_WORKER_NATS_SEED.
 *
 * @param tools     per tool name, the command line to run and how to read its result
 * @param natsSeed  the seed of the worker's NATS nkey (from its registration), when NATS asks for one
 * @param configDir the directory of the configuration file: {@code {config_dir}} in command lines
 *                  (wordlists, tool configurations shipped beside it)
 */
public record WorkerConfig(String workerId, String tenantId, String nats, String subjectPrefix,
        List<String> capabilities, Integer maxConcurrency, Integer heartbeatSeconds, String workdir,
        Map<String, ToolConfig> tools, String natsSeed, String configDir) {

    public WorkerConfig(String workerId, String tenantId, String nats, String subjectPrefix, List<String> capabilities,
            Integer maxConcurrency, Integer heartbeatSeconds, String workdir, Map<String, ToolConfig> tools) {
        this(workerId, tenantId, nats, subjectPrefix, capabilities, maxConcurrency, heartbeatSeconds, workdir, tools,
                null, null);
    }

    public WorkerConfig(String workerId, String tenantId, String nats, String subjectPrefix, List<String> capabilities,
            Integer maxConcurrency, Integer heartbeatSeconds, String workdir, Map<String, ToolConfig> tools,
            String natsSeed) {
        this(workerId, tenantId, nats, subjectPrefix, capabilities, maxConcurrency, heartbeatSeconds, workdir, tools,
                natsSeed, null);
    }


    /**
     * @param command         arguments; {@code {placeholders}} are filled from the command (see {@link ArgumentTemplate})
     * @param format          one of {@link ResultParser#FORMATS}
     * @param successExitCodes exit codes that mean the tool worked, numbers or ranges such as {@code "0-241"}
     *                         (some tools exit non-zero when they found something); default: 0
     * @param env             extra environment variables
     * @param provides        the capabilities this tool serves: a step whose own tool this worker
     *                        lacks runs the first tool that provides all of the step's capabilities
     * @param defaultSeverity the severity of a finding when the format carries none (ffuf); default info
     * @param directory       where the tool runs, placeholders allowed (e.g. {@code {source_dir}}, for
     *                        tools that report paths relative to it); default the command's work directory
     * @param tool            the tool this entry runs, as steps and the registration name it; default the
     *                        entry's key. Several entries may run one tool for different capabilities
     *                        ({@code trivy-fs} and {@code trivy-image}, both {@code tool: trivy})
     * @param resultFile      where the tool writes its result when it picks the name itself (checkov),
     *                        placeholders allowed; default {@code {output_file}}
     * @param assetTypes      the asset types this entry scans (a file system scan for repositories, an
     *                        image scan for container images); default any
     */
    public record ToolConfig(List<String> command, String format, List<String> successExitCodes, Map<String, String> env,
            List<String> provides, String defaultSeverity, String directory, String tool, String resultFile,
            List<String> assetTypes) {

        public ToolConfig(List<String> command, String format, List<String> successExitCodes, Map<String, String> env) {
            this(command, format, successExitCodes, env, null, null, null, null, null, null);
        }

        public ToolConfig(List<String> command, String format, List<String> successExitCodes, Map<String, String> env,
                List<String> provides, String defaultSeverity, String directory) {
            this(command, format, successExitCodes, env, provides, defaultSeverity, directory, null, null, null);
        }

        /** Whether this entry scans assets of this type. */
        public boolean scans(String assetType) {
            return assetTypes == null || assetTypes.isEmpty() || assetType == null || assetTypes.contains(assetType);
        }

        /** Whether this tool can stand in for a step that needs these capabilities. */
        public boolean provides(Collection<String> capabilities) {
            return provides != null && capabilities != null && !capabilities.isEmpty() && provides.containsAll(capabilities);
        }

        /** Whether an exit code counts as success. */
        public boolean succeeded(int code) {
            if (successExitCodes == null || successExitCodes.isEmpty()) {
                return code == 0;
            }
            for (String spec : successExitCodes) {
                String s = spec.trim();
                int dash = s.indexOf('-', 1);
                if (dash > 0) {
                    if (code >= Integer.parseInt(s.substring(0, dash).trim())
                            && code <= Integer.parseInt(s.substring(dash + 1).trim())) {
                        return true;
                    }
                } else if (code == Integer.parseInt(s)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The tool names this worker announces: each entry's {@code tool}, else its key. */
    public List<String> toolNames() {
        return tools.entrySet().stream().map(e -> e.getValue().tool() != null ? e.getValue().tool() : e.getKey())
                .distinct().toList();
    }

    public static WorkerConfig load(Path file, Map<String, String> environment) throws IOException {
        ObjectMapper yaml = new YAMLMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        WorkerConfig c = yaml.readValue(file.toFile(), WorkerConfig.class);
        if (c.configDir() == null) {
            c = c.withConfigDir(file.toAbsolutePath().getParent().toString());
        }
        return c.withEnvironment(environment).validated();
    }

    WorkerConfig withEnvironment(Map<String, String> env) {
        return new WorkerConfig(env.getOrDefault("SCANFLOW_WORKER_ID", workerId),
                env.getOrDefault("SCANFLOW_WORKER_TENANT_ID", tenantId), env.getOrDefault("SCANFLOW_WORKER_NATS", nats),
                subjectPrefix, capabilities, maxConcurrency, heartbeatSeconds, workdir, tools,
                env.getOrDefault("SCANFLOW_WORKER_NATS_SEED", natsSeed), configDir);
    }

    public WorkerConfig withConfigDir(String dir) {
        return new WorkerConfig(workerId, tenantId, nats, subjectPrefix, capabilities, maxConcurrency, heartbeatSeconds,
                workdir, tools, natsSeed, dir);
    }

    /** Fills defaults and refuses what would be refused by Scanflow anyway, with a clear message. */
    public WorkerConfig validated() {
        List<String> problems = new ArrayList<>();
        if (!WorkerIds.valid(workerId)) {
            problems.add("worker_id must match " + WorkerIds.PATTERN.pattern());
        }
        if (tenantId != null && !tenantId.isBlank()) {
            try {
                UUID.fromString(tenantId);
            } catch (IllegalArgumentException e) {
                problems.add("tenant_id must be a UUID (or left out for a shared worker)");
            }
        }
        if (capabilities == null || capabilities.isEmpty()) {
            problems.add("capabilities must list at least one capability");
        }
        if (tools == null || tools.isEmpty()) {
            problems.add("tools must configure at least one tool");
        } else {
            tools.forEach((name, tool) -> {
                if (tool.command() == null || tool.command().isEmpty()) {
                    problems.add("tools." + name + ".command is required");
                }
                try {
                    ResultParser.forFormat(tool.format() == null ? "none" : tool.format());
                } catch (IllegalArgumentException e) {
                    problems.add("tools." + name + ": " + e.getMessage());
                }
                if (tool.provides() != null && capabilities != null && !capabilities.containsAll(tool.provides())) {
                    problems.add("tools." + name + ".provides names capabilities the worker does not list in capabilities: "
                            + tool.provides().stream().filter(p -> !capabilities.contains(p)).toList());
                }
                if (tool.defaultSeverity() != null
                        && !List.of(Severities.ORDER).contains(tool.defaultSeverity().toLowerCase(Locale.ROOT))) {
                    problems.add("tools." + name + ".default_severity must be one of " + List.of(Severities.ORDER));
                }
                try {
                    tool.succeeded(0);
                } catch (NumberFormatException e) {
                    problems.add("tools." + name + ".success_exit_codes: numbers or ranges like 0-241");
                }
            });
        }
        if (natsSeed != null && !natsSeed.isBlank() && !natsSeed.startsWith("SU")) {
            problems.add("nats_seed must be a NATS user nkey seed (SU...), as the worker's registration gave it");
        }
        if (maxConcurrency != null && (maxConcurrency < 1 || maxConcurrency > 1000)) {
            problems.add("max_concurrency must be between 1 and 1000");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid worker configuration: " + String.join("; ", problems));
        }
        return new WorkerConfig(workerId, tenantId == null || tenantId.isBlank() ? null : tenantId,
                nats == null ? "nats://127.0.0.1:4222" : nats, subjectPrefix == null ? "scanflow" : subjectPrefix,
                capabilities, maxConcurrency == null ? 2 : maxConcurrency, heartbeatSeconds == null ? 10 : heartbeatSeconds,
                workdir == null ? System.getProperty("java.io.tmpdir") : workdir, tools,
                natsSeed == null || natsSeed.isBlank() ? null : natsSeed,
                configDir == null ? Path.of("").toAbsolutePath().toString() : configDir);
    }
}
