package dev.scanflow.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What Scanflow sends on {@code <prefix>.commands.<worker>}: a scan, or the cancellation of one. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXISTING_PROPERTY, property = "type",
        visible = true)
@JsonSubTypes({@JsonSubTypes.Type(value = ScanCommand.class, name = ScanCommand.TYPE),
        @JsonSubTypes.Type(value = CancelCommand.class, name = CancelCommand.TYPE)})
public sealed interface Command permits ScanCommand, CancelCommand {

    /** The command id; for a cancellation, the id of the scan to stop. */
    String id();

    String type();
}
