package dev.scanflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md and the ADRs stay true to the code: every class they name (as
 * `ClassName`) exists, and every method they name (as `ClassName.method`) is declared in it.
 */
class ArchitectureDocTest {

    private static final Pattern NAMED = Pattern.compile("`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(\\.[a-z][A-Za-z0-9]*)?`");

    @Test
    void everyClassTheArchitecturePageNamesExists() throws IOException {
        Set<String> named = new TreeSet<>();
        Matcher m = NAMED.matcher(Files.readString(Path.of("docs/architecture.md")));
        while (m.find()) {
            named.add(m.group(1));
        }
        Set<String> classes;
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src/main/java")), Files.walk(Path.of("src/test/java")))) {
            classes = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".java"))
                    .map(n -> n.substring(0, n.length() - 5)).collect(Collectors.toSet());
        }
        List<String> missing = named.stream().filter(n -> !classes.contains(n) && !nested(n)).toList();
        assertEquals(List.of(), missing, "docs/architecture.md names classes that do not exist");
    }

    @Test
    void everyMethodTheDocsNameIsDeclaredInItsClass() throws IOException {
        Pattern classAndMethod = Pattern.compile("`([A-Z][A-Za-z0-9]*)\\.([a-z][A-Za-z0-9]*)`");
        List<Path> docs = new java.util.ArrayList<>(List.of(Path.of("docs/architecture.md")));
        try (Stream<Path> adrs = Files.list(Path.of("docs/adr"))) {
            adrs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        Set<String> missing = new TreeSet<>();
        for (Path doc : docs) {
            Matcher m = classAndMethod.matcher(Files.readString(doc));
            while (m.find()) {
                String source = source(m.group(1));
                if (source != null && !Pattern.compile("\\b" + m.group(2) + "\\s*\\(").matcher(source).find()) {
                    missing.add(doc.getFileName() + ": " + m.group(1) + "." + m.group(2));
                }
            }
        }
        assertEquals(Set.of(), missing, "methods the docs name that their class does not declare");
    }

    /** The source of a top-level class of the service, or null when it is not one. */
    private static String source(String className) throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            Path file = files.filter(p -> p.getFileName().toString().equals(className + ".java")).findFirst().orElse(null);
            return file == null ? null : Files.readString(file);
        }
    }

    /** Records declared inside another class (ScanCommand.Target, ...) are named without their file. */
    private static boolean nested(String name) {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            return files.filter(p -> p.toString().endsWith(".java")).anyMatch(p -> {
                try {
                    return Pattern.compile("(record|class|interface|enum) " + name + "\\b").matcher(Files.readString(p)).find();
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }
}
