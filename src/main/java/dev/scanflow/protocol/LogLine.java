package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** A line of a tool's output on {@code <prefix>.logs.<worker>}; {@code seq} counts from 1 per command. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LogLine(String commandId, Long seq, String line) {

    public static final int MAX_LENGTH = 8_192;
}
