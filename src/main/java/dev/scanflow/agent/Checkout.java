package dev.scanflow.agent;

import dev.scanflow.protocol.ScanCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The source a repository scan reads ({@code {source_dir}}): the target's URL cloned with git
 * (depth 1, the run's branch, then its commit when the context names one), or, for a local
 * directory that is not a git repository, that directory as it is.
 */
final class Checkout {

    static final long TIMEOUT_SECONDS = 600;
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^/@:\\s]*:)[^/@\\s]*@");

    private Checkout() {
    }

    static Path of(ScanCommand.Target target, Path into, Consumer<String> log) throws IOException {
        return of(target, into, log, Map.of());
    }

    /** @param environment what git runs with besides the worker's own environment (credentials) */
    static Path of(ScanCommand.Target target, Path into, Consumer<String> log, Map<String, String> environment)
            throws IOException {
        String url = target == null ? null : target.url();
        if (url == null || url.isBlank()) {
            throw new IOException("the target has no url to check out (a repository asset needs one)");
        }
        if (url.startsWith("-")) {
            throw new IOException("refusing repository url '" + withoutPassword(url) + "'");
        }
        Path local = url.startsWith("file://") ? Path.of(url.substring("file://".length()))
                : url.startsWith("/") ? Path.of(url) : null;
        if (local != null && Files.isDirectory(local) && !Files.exists(local.resolve(".git"))) {
            log.accept("scanning the directory " + local + " as it is (not a git repository)");
            return local;
        }
        String branch = target.branch();
        List<String> clone = new ArrayList<>(List.of("git", "clone", "--depth", "1", "--quiet"));
        if (branch != null && !branch.isBlank()) {
            clone.addAll(List.of("--branch", branch));
        }
        clone.addAll(List.of("--", url, into.toString()));
        git(clone, log, environment);
        String commit = target.commit();
        if (commit != null && commit.matches("[0-9a-fA-F]{7,64}")) {
            git(List.of("git", "-C", into.toString(), "fetch", "--depth", "1", "--quiet", "origin", commit), log,
                    environment);
            git(List.of("git", "-C", into.toString(), "checkout", "--quiet", "--detach", "FETCH_HEAD"), log, environment);
        }
        return into;
    }

    private static void git(List<String> args, Consumer<String> log, Map<String, String> environment)
            throws IOException {
        log.accept("$ " + withoutPassword(String.join(" ", args)));
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        pb.environment().putAll(environment);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0"); // never wait for a password
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = withoutPassword(line);
                log.accept("[git] " + line);
                if (out.length() < 2000) {
                    out.append(line).append('\n');
                }
            }
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("git did not finish within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", args.subList(0, Math.min(3, args.size()))) + " failed (exit "
                    + p.exitValue() + "): " + out.toString().trim());
        }
    }

    /** {@code scheme://user:***@host}: the password of a URL's userinfo hidden. */
    static String withoutPassword(String text) {
        return USERINFO_PASSWORD.matcher(text).replaceAll("$1***@");
    }
}
