package dev.scanflow.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lines a SARIF result points at, read from the checkout when the tool quoted none. Only
 * regular files inside the checkout are read (a path with {@code ..} or a symbolic link that
 * leads out of it gives nothing: the repository is not trusted), none over 8 MiB, and the last
 * few files read are kept, since results come grouped by file.
 */
final class SourceSnippets {

    static final SourceSnippets NONE = new SourceSnippets(null);

    private static final long LARGEST_FILE = 8L * 1024 * 1024;
    private static final int KEPT_FILES = 8;

    private final Path root;
    private final Map<String, List<String>> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
            return size() > KEPT_FILES;
        }
    };

    private SourceSnippets(Path root) {
        this.root = root;
    }

    /** @param sourceDir the checkout, or null (then there are no snippets) */
    static SourceSnippets of(Path sourceDir) {
        if (sourceDir == null) {
            return NONE;
        }
        try {
            return new SourceSnippets(sourceDir.toRealPath());
        } catch (IOException gone) {
            return NONE;
        }
    }

    /**
     * Lines {@code start} to {@code end} (1-based, inclusive) of a file given relative to the
     * checkout, joined by line breaks and cut at {@code limit} characters; null when there are none.
     */
    String lines(String relativePath, Integer start, Integer end, int limit) {
        if (root == null || relativePath == null || start == null || start < 1) {
            return null;
        }
        List<String> lines = kept.computeIfAbsent(relativePath, this::read);
        if (lines.isEmpty() || start > lines.size()) {
            return null;
        }
        int last = Math.min(end == null || end < start ? start : end, lines.size());
        StringBuilder out = new StringBuilder();
        for (int i = start; i <= last && out.length() < limit; i++) {
            if (i > start) {
                out.append('\n');
            }
            out.append(lines.get(i - 1));
        }
        return Findings.cut(out.toString(), limit);
    }

    private List<String> read(String relativePath) {
        try {
            Path p = Path.of(relativePath);
            if (p.isAbsolute()) {
                return List.of();
            }
            Path file = root.resolve(p).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                return List.of();
            }
            Path real = file.toRealPath();
            if (!real.startsWith(root) || Files.size(real) > LARGEST_FILE) {
                return List.of();
            }
            // a decoding that never fails: a binary file gives replacement characters, not an error
            return new String(Files.readAllBytes(real), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
