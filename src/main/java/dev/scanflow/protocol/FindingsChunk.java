package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Part of a command's findings, on {@code <prefix>.findings.<worker>} (protocol 2.2,
 * docs/adr/0011-findings.md): chunks are numbered from 0 per command and sent before the
 * command's {@code completed} report, whose {@code result.findings_sent} says how many findings
 * all its chunks hold. The service stores each (command, chunk) once, so a redelivered chunk
 * changes nothing.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FindingsChunk(String commandId, String workerId, int chunk, List<Finding> findings) {

    /** Most findings in one chunk. */
    public static final int MAX_FINDINGS = 500;
    /** A chunk's largest JSON size: well under NATS' default max_payload of 1 MiB. */
    public static final int MAX_BYTES = 512 * 1024;
}
