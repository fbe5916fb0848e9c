package dev.scanflow.agent;

/** How a tool run tells Scanflow what happens (protocol 2.1 results and logs). */
interface Reporter {

    void running(String commandId);

    void completed(String commandId, ScanReport report, long durationMs);

    void failed(String commandId, String code, String message);

    void cancelled(String commandId);

    void log(String commandId, long seq, String line);
}
