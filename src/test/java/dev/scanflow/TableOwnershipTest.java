package dev.scanflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One owner per table (issue 21): the package that writes a table is the only one whose SQL names
 * it; the others call its queries (passing their transaction when they must be in it). The owners
 * and the few exceptions are here and in docs/architecture.md ("Data model"); the two must agree.
 * Which tables a file names is {@link SqlTableScanner}'s job.
 */
class TableOwnershipTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/scanflow");

    /** Table → the package that owns it. */
    static final Map<String, String> OWNERS = owners(
            "auth", "tenants",
            "asset", "assets", "asset", "asset_announcements",
            "pipeline", "pipeline_templates", "pipeline", "pipeline_steps",
            "engine", "pipeline_runs", "engine", "step_runs", "engine", "commands", "engine", "run_events",
            "engine", "worker_slots", "engine", "target_holds",
            "run", "idempotency_keys", "run", "step_logs",
            "fleet", "workers",
            "trigger", "schedules", "trigger", "schedule_fires", "trigger", "trigger_outcomes", "trigger", "queued_fires",
            "webhook", "webhook_secrets", "webhook", "webhook_deliveries",
            "discovery", "discovery_requests",
            "notification", "notification_channels", "notification", "notification_deliveries",
            "credential", "scan_credentials",
            "scope", "scan_policies",
            "finding", "findings", "finding", "finding_observations", "finding", "finding_chunks", "finding",
            "finding_suppressions");

    /** A file (under dev/scanflow) that may name a table it does not own: read only, or also write it. */
    record Exception(String file, String table, boolean writes, String reason) {
    }

    static final List<Exception> EXCEPTIONS = List.of(
            new Exception("engine/WorkerSlots.java", "workers", true, "the candidate and slot-claim queries join the "
                    + "workers in the statement that takes a slot (ADR 0003); bench/unbench set the engine's own "
                    + "columns ack_timeouts and benched_until in the deciding transaction"),
            new Exception("engine/RunRows.java", "workers", false, "vanishedWorkers: steps on workers no longer "
                    + "registered, one anti-join"),
            new Exception("engine/FleetSightings.java", "workers", false, "a dispatch pass plans with every worker's "
                    + "capabilities and load, read in one statement with its slots"),
            new Exception("engine/DispatchPasses.java", "workers", false, "each tenant's steps on shared workers, "
                    + "its use of the fair share, joins the slots to their workers"),
            new Exception("run/RunQueries.java", "pipeline_runs", false, "the runs API's read model"),
            new Exception("run/RunQueries.java", "step_runs", false, "the runs API's read model"),
            new Exception("run/RunQueries.java", "run_events", false, "the runs API's read model"));


    @Test
    void onlyTheOwnerNamesATable() throws IOException {
        List<String> violations = new ArrayList<>();
        mentions().forEach((file, mentions) -> {
            for (SqlTableScanner.Mention m : mentions) {
                String owner = OWNERS.get(m.table());
                if (!owner.equals(packageOf(file)) && !excepted(file, m)) {
                    violations.add(file + " names " + m.table() + " (owner: " + owner + ")"
                            + (m.write() ? ", writing or locking it" : "") + ": …" + m.context() + "…");
                }
            }
        });
        assertEquals(List.of(), violations, "call the owner's query instead (docs/architecture.md, Data model)");
    }

    @Test
    void everyExceptionIsStillUsed() throws IOException {
        Map<String, List<SqlTableScanner.Mention>> mentions = mentions();
        List<String> unused = new ArrayList<>();
        for (Exception e : EXCEPTIONS) {
            if (mentions.getOrDefault(e.file(), List.of()).stream().noneMatch(m -> m.table().equals(e.table()))) {
                unused.add(e.file() + " " + e.table());
            }
        }
        assertEquals(List.of(), unused, "exceptions no file needs any more: remove them (and from the docs)");
    }

    @Test
    void everyTableOfTheMigrationsHasAnOwner() throws IOException {
        Set<String> created = new TreeSet<>();
        Pattern create = Pattern.compile("(?i)create\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?([a-z_][a-z0-9_]*)");
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).toList()) {
                Matcher m = create.matcher(Files.readString(f));
                while (m.find()) {
                    created.add(m.group(1).toLowerCase());
                }
            }
        }
        assertEquals(created, new TreeSet<>(OWNERS.keySet()), "every table of the migrations, and only those, has an owner");
    }

    /** The Data model table of docs/architecture.md names the same owner for each table, and the exceptions. */
    @Test
    void theArchitecturePageNamesTheSameOwnersAndExceptions() throws IOException {
        String doc = Files.readString(Path.of("docs/architecture.md"));
        String section = doc.substring(doc.indexOf("## Data model"));
        section = section.substring(0, section.indexOf("\n## ", 3));
        Map<String, String> documented = new TreeMap<>();
        for (String line : section.lines().filter(l -> l.startsWith("| `")).toList()) {
            String[] cells = line.split("\\|");
            Matcher owner = Pattern.compile("`([a-z]+)`").matcher(cells[2]);
            assertTrue(owner.find(), "no owner in: " + line);
            Matcher table = Pattern.compile("`([a-z_]+)`").matcher(cells[1]);
            while (table.find()) {
                documented.put(table.group(1), owner.group(1));
            }
        }
        assertEquals(new TreeMap<>(OWNERS), documented, "docs/architecture.md, Data model: the Owner column");
        for (Exception e : EXCEPTIONS) {
            String className = e.file().substring(e.file().indexOf('/') + 1, e.file().length() - ".java".length());
            assertTrue(section.contains(className + "`") && section.contains("`" + e.table() + "`"),
                    "docs/architecture.md, Data model, does not list the exception " + e.file() + " " + e.table());
        }
    }

    /** The scanner itself: what counts as naming a table and what does not. */
    @Test
    void theScannerFindsSqlNotWords() {
        Set<String> tables = Set.of("assets", "pipeline_runs", "workers", "step_logs");
        String source = """
                class X {
                    // SELECT * FROM assets
                    /* UPDATE workers */
                    String url = "/api/v1/assets";
                    String words = "assets of a tenant";
                    char quote = '"';
                    String a = "SELECT id FROM " + COLUMNS + " pipeline_runs";
                    String b = "SELECT id FROM "
                            + "Pipeline_Runs r, workers w WHERE r.id = $1";
                    String c = \"""
                        insert into step_logs (line) values ($1)
                        \""";
                    String d = "DELETE FROM assets WHERE id = $1";
                    Object e = AssetEntity.find("tenantId = ?1", t);
                }
                """;
        List<String> found = SqlTableScanner.scan(source, tables, Map.of("AssetEntity", "assets")).stream()
                .map(m -> m.table() + (m.write() ? " w" : " r")).toList();
        assertEquals(List.of("pipeline_runs r", "workers r", "step_logs w", "assets w", "assets w"), found);
    }

    private static boolean excepted(String file, SqlTableScanner.Mention m) {
        return EXCEPTIONS.stream().anyMatch(e -> e.file().equals(file) && e.table().equals(m.table())
                && (e.writes() || !m.write()));
    }

    /** Every main source file (path under dev/scanflow) with the owned tables it names. */
    private static Map<String, List<SqlTableScanner.Mention>> mentions() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        Map<String, String> entities = new LinkedHashMap<>();
        Pattern table = Pattern.compile("@Entity\\b[\\s\\S]*?@Table\\s*\\(\\s*name\\s*=\\s*\"([a-z_]+)\"");
        for (Path f : files) {
            Matcher m = table.matcher(Files.readString(f));
            if (m.find()) {
                String name = f.getFileName().toString();
                entities.put(name.substring(0, name.length() - ".java".length()), m.group(1));
            }
        }
        Map<String, List<SqlTableScanner.Mention>> out = new TreeMap<>();
        for (Path f : files) {
            String file = SOURCES.relativize(f).toString().replace('\\', '/');
            out.put(file, SqlTableScanner.scan(Files.readString(f), OWNERS.keySet(), entities));
        }
        return out;
    }

    private static String packageOf(String file) {
        return file.contains("/") ? file.substring(0, file.indexOf('/')) : "";
    }

    private static Map<String, String> owners(String... ownerTable) {
        Map<String, String> owners = new LinkedHashMap<>();
        for (int i = 0; i < ownerTable.length; i += 2) {
            owners.put(ownerTable[i + 1], ownerTable[i]);
        }
        return owners;
    }
}
