package dev.scanflow.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The examples of docs/protocol.md marked {@code <!-- golden: Record -->}: each parses into
 * that record and serializes back to the same JSON, so the documentation and the code that the
 * service, the reference worker and the tests' worker share cannot drift apart.
 */
class ProtocolGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GOLDEN = Pattern.compile("<!-- golden: (\\w+) -->\\s*```json\\n(.*?)```", Pattern.DOTALL);

    record Example(String type, String json) {
        @Override
        public String toString() {
            return type + " " + json.replaceAll("\\s+", " ").substring(0, Math.min(60, json.replaceAll("\\s+", " ").length()));
        }
    }

    static Stream<Example> examples() throws IOException {
        Matcher m = GOLDEN.matcher(Files.readString(Path.of("docs/protocol.md")));
        List<Example> out = new ArrayList<>();
        while (m.find()) {
            out.add(new Example(m.group(1), m.group(2)));
        }
        return out.stream();
    }

    @Test
    void everyKindOfMessageHasAGoldenExample() throws IOException {
        List<String> types = examples().map(Example::type).distinct().sorted().toList();
        assertEquals(List.of("AssetAnnouncement", "Command", "CredentialReply", "CredentialRequest", "FindingsChunk",
                "Heartbeat", "LogLine", "RunEvent", "StatusReport"), types);
        assertTrue(examples().count() >= 10);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void theDocumentedExampleIsWhatTheRecordReadsAndWrites(Example example) throws Exception {
        Class<?> type = Class.forName("dev.scanflow.protocol." + example.type());
        Object message = ProtocolJson.read(example.json().getBytes(StandardCharsets.UTF_8), type);
        JsonNode expected = JSON.readTree(example.json());
        JsonNode written = JSON.readTree(ProtocolJson.bytes(message));
        assertEquals(expected, written, "docs/protocol.md example vs what " + type.getSimpleName() + " writes");
    }

    @Test
    void theLimitsExampleCarriesOneRateInLimitsAndInTheStepConfig() throws IOException {
        List<ScanCommand.Payload> limited = new ArrayList<>();
        for (Example e : examples().filter(e -> e.type().equals("Command")).toList()) {
            if (ProtocolJson.read(e.json().getBytes(StandardCharsets.UTF_8), Command.class) instanceof ScanCommand scan
                    && scan.payload().limits() != null) {
                limited.add(scan.payload());
            }
        }
        assertEquals(1, limited.size(), "docs/protocol.md, \"Limits\": one scan command with payload.limits");
        ScanCommand.Payload payload = limited.get(0);
        assertEquals(new ScanCommand.Limits("shop.example.com", 50), payload.limits());
        assertEquals(50, payload.rateLimit());
        assertEquals(payload.rateLimit(), payload.stepConfig().get("rate_limit"));
        // omitted when null: no limits, or a budget key without a rate
        ScanCommand.Payload without = new ScanCommand.Payload("r", "sast", Map.of("tool", "semgrep"), null, Map.of(),
                Map.of(), ScanCommand.Output.RIS, List.of("sast"), List.of());
        assertTrue(ProtocolJson.tree(without).path("limits").isMissingNode());
        assertNull(without.rateLimit());
        assertEquals(JSON.readTree("{\"target\": \"10.0.0.0/24\"}"),
                ProtocolJson.tree(new ScanCommand.Limits("10.0.0.0/24", null)));
    }

    @Test
    void commandsAreReadAsTheirKind() throws IOException {
        Command scan = ProtocolJson.read(ProtocolJson.bytes(ScanCommand.of("c1", "high", "t", 1, 60,
                new ScanCommand.Payload("r", "sast", Map.of("tool", "semgrep"), null, Map.of(), Map.of(),
                        ScanCommand.Output.RIS, List.of("sast")))), Command.class);
        assertInstanceOf(ScanCommand.class, scan);
        Command cancel = ProtocolJson.read("{\"id\": \"c1\", \"type\": \"cancel\"}".getBytes(StandardCharsets.UTF_8),
                Command.class);
        assertEquals(CancelCommand.of("c1"), cancel);
    }

    @Test
    void theDesignDocumentsWorkerResponseNeedsNoWorkerId() throws IOException {
        StatusReport r = ProtocolJson.read(("{\"command_id\": \"cmd-001\", \"status\": \"completed\", \"result\": "
                + "{\"findings_count\": 12, \"duration_ms\": 45000, \"scan_id\": \"scan-001\"}}").getBytes(StandardCharsets.UTF_8),
                StatusReport.class);
        assertNull(r.workerId());
        assertEquals(12, r.result().findingsCount());
        assertEquals("scan-001", r.result().scanId());
    }

    @Test
    void subjectsAreMatchedExactly() {
        Subjects s = Subjects.defaults();
        assertEquals("w-1", s.workerOfResult("scanflow.results.w-1"));
        assertEquals("w-1", s.workerOfLog("scanflow.logs.w-1"));
        assertNull(s.workerOfResult("scanflow.results.evil.w-1"), "a longer subject names no worker");
        assertNull(s.workerOfResult("scanflow.logs.w-1"));
        assertNull(s.workerOfResult("other.results.w-1"));
        assertNull(s.workerOfResult("scanflow.results."));
        assertNull(s.workerOfResult("scanflow.results." + "x".repeat(65)));
        assertEquals("scanflow.commands.w-1", s.command("w-1"));
        UUID tenant = UUID.fromString("11111111-1111-4111-8111-111111111111");
        assertEquals("scanflow.events." + tenant + ".pipeline.run.started", s.event(tenant, "pipeline.run.started"));
        assertEquals("SCANFLOW_RESULTS", s.stream("RESULTS"));
    }

    @Test
    void workerIdsFollowTheRule() {
        assertTrue(WorkerIds.valid("w-semgrep_1"));
        for (String bad : new String[] {null, "", "a.b", "a b", "ä", "x".repeat(65), "a>b", "a*"}) {
            assertEquals(false, WorkerIds.valid(bad), String.valueOf(bad));
        }
    }
}
