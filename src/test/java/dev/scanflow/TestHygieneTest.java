package dev.scanflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Tests use only their own temporary directories: a test that opens a fixed absolute path (a
 * directory under /tmp an earlier run left behind) passes on one machine and fails on a new
 * one. /proc is the one absolute place a test may read (the benchmark reads process figures).
 */
class TestHygieneTest {

    private static final Pattern ABSOLUTE_PATH = Pattern.compile(
            "(Path\\.of|Paths\\.get|new File|new FileInputStream|new FileOutputStream)\\(\"(/[^\"]*)\"");

    @Test
    void noTestOpensAFixedAbsolutePath() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = ABSOLUTE_PATH.matcher(lines.get(i));
                    while (m.find()) {
                        if (!m.group(2).startsWith("/proc/")) {
                            found.add(file + ":" + (i + 1) + ": " + m.group(2));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), found, "use @TempDir or Files.createTempDirectory instead");
    }
}
