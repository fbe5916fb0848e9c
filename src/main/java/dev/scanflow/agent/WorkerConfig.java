package dev.scanflow.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.scanflow.protocol.WorkerIds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The reference worker's configuration (YAML, see examples/worker.yaml). Environment variables
 * override the file: SCANFLOW_WORKER_ID, SCANFLOW_WORKER_TENANT_ID, SCANFLOW_WORKER_NATS,
 * SCANFLOW_WORKER_NATS_SEED.
 *
 * @param tools    per tool name, the command line to run and how to read its result
 * @param natsSeed the seed of the worker's NATS nkey (from its registration), when NATS asks for one
 */
public record WorkerConfig(String workerId, String tenantId, String nats, String subjectPrefix,
        List<String> capabilities, Integer maxConcurrency, Integer heartbeatSeconds, String workdir,
        Map<String, ToolConfig> tools, String natsSeed) {

    public WorkerConfig(String workerId, String tenantId, String nats, String subjectPrefix, List<String> capabilities,
            Integer maxConcurrency, Integer heartbeatSeconds, String workdir, Map<String, ToolConfig> tools) {
        this(workerId, tenantId, nats, subjectPrefix, capabilities, maxConcurrency, heartbeatSeconds, workdir, tools,
                null);
    }


    /**
     * @param command         arguments; {@code {placeholders}} are filled from the command (see {@link ArgumentTemplate})
     * @param format          sarif, nmap-xml, testssl-json or none
     * @param successExitCodes exit codes that mean the tool worked, numbers or ranges such as {@code "0-241"}
     *                         (some tools exit non-zero when they found something); default: 0
     * @param env             extra environment variables
     */
    public record ToolConfig(List<String> command, String format, List<String> successExitCodes, Map<String, String> env) {

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

    public static WorkerConfig load(Path file, Map<String, String> environment) throws IOException {
        ObjectMapper yaml = new YAMLMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        WorkerConfig c = yaml.readValue(file.toFile(), WorkerConfig.class);
        return c.withEnvironment(environment).validated();
    }

    WorkerConfig withEnvironment(Map<String, String> env) {
        return new WorkerConfig(env.getOrDefault("SCANFLOW_WORKER_ID", workerId),
                env.getOrDefault("SCANFLOW_WORKER_TENANT_ID", tenantId), env.getOrDefault("SCANFLOW_WORKER_NATS", nats),
                subjectPrefix, capabilities, maxConcurrency, heartbeatSeconds, workdir, tools,
                env.getOrDefault("SCANFLOW_WORKER_NATS_SEED", natsSeed));
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
                natsSeed == null || natsSeed.isBlank() ? null : natsSeed);
    }
}
