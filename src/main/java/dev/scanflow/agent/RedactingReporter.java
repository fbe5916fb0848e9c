package dev.scanflow.agent;

/**
 * A tool run's reporter: every log line, error message, result output and finding goes through
 * the {@link Redactor} of the credentials the run holds (none until it holds some).
 */
final class RedactingReporter implements Reporter {

    private final Reporter delegate;
    private volatile Redactor redactor = Redactor.NONE;

    RedactingReporter(Reporter delegate) {
        this.delegate = delegate;
    }

    void use(Redactor redactor) {
        this.redactor = redactor;
    }

    String redact(String text) {
        return redactor.redact(text);
    }

    @Override
    public void running(String commandId) {
        delegate.running(commandId);
    }

    @Override
    public void completed(String commandId, ScanReport report, long durationMs) {
        Redactor r = redactor;
        delegate.completed(commandId, new ScanReport(report.findingsCount(), report.findingsBySeverity(),
                r.redact(report.output()), report.findings().stream().map(r::redact).toList()), durationMs);
    }

    @Override
    public void failed(String commandId, String code, String message) {
        delegate.failed(commandId, code, redactor.redact(message));
    }

    @Override
    public void cancelled(String commandId) {
        delegate.cancelled(commandId);
    }

    @Override
    public void log(String commandId, long seq, String line) {
        delegate.log(commandId, seq, redactor.redact(line));
    }
}
