package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * A scan: the design document's "Command Payload for Pipeline Steps" plus what a worker needs
 * to run it on its own (tenant, attempt, timeout, upstream results).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScanCommand(String id, String type, String priority, String tenantId, int attempt, int timeoutSeconds,
        Payload payload) implements Command {

    public static final String TYPE = "scan";

    public static ScanCommand of(String id, String priority, String tenantId, int attempt, int timeoutSeconds,
            Payload payload) {
        return new ScanCommand(id, TYPE, priority, tenantId, attempt, timeoutSeconds, payload);
    }

    /**
     * @param stepConfig the step's config from the template, with {@code tool}
     * @param upstream     what the steps this one depends on (directly or not) produced, by step id
     * @param capabilities the capabilities the step asked for: a worker without the step's tool
     *                     runs the tool it has for them (protocol 2.1; absent from older servers)
     * @param credentials  the credentials the command may use, by reference only: the worker asks
     *                     for their values ({@link CredentialRequest}) when it runs the command
     *                     (protocol 2.2; absent when there are none)
     * @param limits       how gently to scan: the target's budget key and the requests per second
     *                     this step may send, its share of the target's budget and no more than
     *                     its config's {@code rate_limit} (protocol 2.3; absent when neither sets
     *                     a rate); {@code step_config.rate_limit} carries the same rate
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Payload(String pipelineRunId, String stepId, Map<String, Object> stepConfig, Target target,
            Map<String, Object> context, Map<String, Upstream> upstream, Output output,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<String> capabilities,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<CredentialRef> credentials,
            @JsonInclude(JsonInclude.Include.NON_NULL) Limits limits) {

        /** Without credentials (protocol 2.1's shape). */
        public Payload(String pipelineRunId, String stepId, Map<String, Object> stepConfig, Target target,
                Map<String, Object> context, Map<String, Upstream> upstream, Output output, List<String> capabilities) {
            this(pipelineRunId, stepId, stepConfig, target, context, upstream, output, capabilities, List.of(), null);
        }

        /** Without limits (protocol 2.2's shape). */
        public Payload(String pipelineRunId, String stepId, Map<String, Object> stepConfig, Target target,
                Map<String, Object> context, Map<String, Upstream> upstream, Output output, List<String> capabilities,
                List<CredentialRef> credentials) {
            this(pipelineRunId, stepId, stepConfig, target, context, upstream, output, capabilities, credentials, null);
        }

        /** The rate the step may send at, or null. */
        public Integer rateLimit() {
            return limits == null ? null : limits.requestsPerSecond();
        }
    }

    /**
     * How gently a step scans (protocol 2.3): {@code target}, the key its budget is counted under
     * (a host, a CIDR range, a repository), and {@code requests_per_second} for the tool (nuclei
     * {@code -rl}, nmap {@code --max-rate}, ffuf {@code -rate}); null when no rate is set.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Limits(String target, @JsonInclude(JsonInclude.Include.NON_NULL) Integer requestsPerSecond) {
    }

    /**
     * A credential a command may use, never its value: its {@code name} (unique per tenant), its
     * {@code kind} ({@code git_token}, {@code git_ssh_key}, {@code http_header}, {@code http_basic},
     * {@code cookie}, {@code api_key}) and its {@code use}: {@code checkout} (to fetch the target
     * repository: the asset's {@code credentials}) or {@code target} (for the tool against the
     * target: the step's {@code config.auth.credential}).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CredentialRef(String name, String kind, String use) {

        public static final String CHECKOUT = "checkout";
        public static final String TARGET = "target";
    }

    /** The asset to scan, plus branch and commit when the run's context has them. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Target(String assetId, String type, String name, String url, List<String> tags, String criticality,
            Map<String, Object> properties, @JsonInclude(JsonInclude.Include.NON_NULL) String branch,
            @JsonInclude(JsonInclude.Include.NON_NULL) String commit) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Upstream(String status, Integer findingsCount, Map<String, Object> output) {
    }

    /** How results are wanted: the document's {@code {"format": "ris", "include_assets": true}}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Output(String format, boolean includeAssets) {

        public static final Output RIS = new Output("ris", true);
    }
}
