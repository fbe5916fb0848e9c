package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Stop the scan with this id and report {@code cancelled}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CancelCommand(String id, String type) implements Command {

    public static final String TYPE = "cancel";

    public static CancelCommand of(String scanId) {
        return new CancelCommand(scanId, TYPE);
    }
}
