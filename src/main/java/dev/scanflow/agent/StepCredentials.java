package dev.scanflow.agent;

import dev.scanflow.protocol.CredentialReply.Credential;
import dev.scanflow.protocol.ScanCommand;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The credential values one command holds, and the ways they reach git and the tool: git's
 * environment ({@link GitAccess}) for the {@code checkout} ones; for the {@code target} HTTP ones
 * a 0600 header file ({@code Name: value} lines) that the tool's command line names with
 * {@code {auth.header_file}} (nuclei {@code -H}, curl {@code -H @file}) and
 * {@code SCANFLOW_AUTH_HEADER_FILE} names to scripts, and, when the command line asks for it, a
 * raw request for ffuf's {@code -request} ({@code {auth.ffuf_request}}). No value is ever a
 * placeholder, so none reaches a command line. Everything written lives in a private directory
 * that {@link #close()} removes after the step.
 */
final class StepCredentials implements AutoCloseable {

    static final StepCredentials NONE = new StepCredentials(List.of(), null, Map.of(), List.of(), null);
    static final String HEADER_FILE_VARIABLE = "SCANFLOW_AUTH_HEADER_FILE";
    static final String FFUF_REQUEST = "{auth.ffuf_request";
    static final String FFUF_KEYWORD = "FUZZ";

    private final List<Credential> held;
    private final Path dir;
    private final Map<String, String> gitEnvironment;
    private final List<String> targetHeaders;
    private final Path headerFile;
    private final Redactor redactor;

    private StepCredentials(List<Credential> held, Path dir, Map<String, String> gitEnvironment,
            List<String> targetHeaders, Path headerFile) {
        this.held = held;
        this.dir = dir;
        this.gitEnvironment = gitEnvironment;
        this.targetHeaders = targetHeaders;
        this.headerFile = headerFile;
        this.redactor = Redactor.of(held);
    }

    /** Prepares the held credentials in a new private directory under {@code parent}. */
    static StepCredentials hold(List<Credential> held, Path parent) throws IOException, CredentialsUnavailable {
        Path dir = PrivateFiles.directory(parent, "scanflow-credentials-");
        try {
            List<Credential> checkout = held.stream()
                    .filter(c -> ScanCommand.CredentialRef.CHECKOUT.equals(c.use())).toList();
            Map<String, String> git = GitAccess.environment(checkout, dir);
            List<String> headers = new ArrayList<>();
            for (Credential c : held) {
                if (ScanCommand.CredentialRef.TARGET.equals(c.use()) && AuthHeaders.isHttp(c)) {
                    headers.add(AuthHeaders.line(c));
                }
            }
            Path headerFile = headers.isEmpty() ? null
                    : PrivateFiles.write(dir.resolve("headers"), String.join("\n", headers) + "\n");
            return new StepCredentials(List.copyOf(held), dir, git, List.copyOf(headers), headerFile);
        } catch (IOException | CredentialsUnavailable | RuntimeException e) {
            PrivateFiles.delete(dir);
            throw e;
        }
    }

    Redactor redactor() {
        return redactor;
    }

    Map<String, String> gitEnvironment() {
        return gitEnvironment;
    }

    Map<String, String> toolEnvironment() {
        return headerFile == null ? Map.of() : Map.of(HEADER_FILE_VARIABLE, headerFile.toString());
    }

    /**
     * The {@code {auth.*}} placeholders: {@code header_file} when the command has target HTTP
     * credentials (left out otherwise, so {@code "-H={auth.header_file[]}"} drops the option);
     * {@code ffuf_request} when the command line names it (also without credentials).
     */
    Map<String, Object> placeholders(ScanCommand.Target target, String commandLine, Path workdir) throws IOException {
        Map<String, Object> auth = new LinkedHashMap<>();
        if (headerFile != null) {
            auth.put("header_file", headerFile.toString());
        }
        if (commandLine.contains(FFUF_REQUEST)) {
            // with credentials it holds them, so it goes into the private directory
            Path file = (dir != null ? dir : workdir).resolve("ffuf-request");
            auth.put("ffuf_request", PrivateFiles.write(file, ffufRequest(target)).toString());
        }
        return auth;
    }

    /** A raw GET of the target URL's path with {@code /FUZZ} after it, its Host and the target headers. */
    String ffufRequest(ScanCommand.Target target) {
        String url = target == null ? null : target.url();
        URI uri;
        try {
            uri = url == null ? null : URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null) {
            throw new IllegalArgumentException("{auth.ffuf_request} needs a target with an http(s) url");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        String host = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        StringBuilder request = new StringBuilder("GET " + path + "/" + FFUF_KEYWORD + " HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n");
        targetHeaders.forEach(h -> request.append(h).append("\r\n"));
        return request.append("\r\n").toString();
    }

    /** The held credentials for a log line: names, kinds and uses, never values. */
    String describe() {
        return held.stream().map(c -> c.name() + " (" + c.kind() + ", " + c.use() + ")").collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        PrivateFiles.delete(dir);
    }
}
