package dev.scanflow.nats;

import dev.scanflow.protocol.AssetAnnouncement;
import dev.scanflow.protocol.CancelCommand;
import dev.scanflow.protocol.Command;
import dev.scanflow.protocol.Heartbeat;
import dev.scanflow.protocol.LogLine;
import dev.scanflow.protocol.RunEvent;
import dev.scanflow.protocol.ScanCommand;
import dev.scanflow.protocol.StatusReport;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The protocol's messages, which Jackson reads and writes on NATS, registered for the native
 * image here: the protocol package itself stays free of Quarkus (the worker ships it alone).
 */
@RegisterForReflection(targets = {Heartbeat.class, Command.class, ScanCommand.class, ScanCommand.Payload.class,
        ScanCommand.Target.class, ScanCommand.Upstream.class, ScanCommand.Output.class, CancelCommand.class,
        StatusReport.class, StatusReport.Result.class, StatusReport.Error.class, LogLine.class, RunEvent.class,
        AssetAnnouncement.class})
final class ProtocolReflection {

    private ProtocolReflection() {
    }
}
