package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import dev.scanflow.protocol.FindingsChunk;
import dev.scanflow.protocol.ProtocolJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a command's findings are cut into the chunks the worker sends. */
class FindingChunksTest {

    private static final String COMMAND = "8d1c0c2e-3c52-4a0e-9a53-0f5f4c1b7a10";

    private static Finding small(int i) {
        return Findings.of("semgrep", "rule-" + i, "title " + i, "medium", "code", Location.code("src/f" + i + ".js", i, i, null),
                List.of(), null, "message " + i, "{\"i\":" + i + "}");
    }

    /** As large as a finding can be once bounded, and mostly characters JSON has to escape. */
    private static Finding huge(int i) {
        String escaped = "\u0001\"\\".repeat(20_000);
        Location l = new Location(escaped, 1, 2, escaped, escaped, escaped, escaped, escaped, 1, escaped, escaped, escaped,
                escaped);
        List<String> refs = IntStream.range(0, 200).mapToObj(n -> "CWE-" + n + escaped).toList();
        return new Finding(escaped, "rule-" + i, escaped, "high", "code", l, refs, escaped, escaped, escaped);
    }

    @Test
    void noFindingsNoChunks() {
        assertEquals(List.of(), FindingChunks.of(COMMAND, "w-1", List.of()));
    }

    @Test
    void atMostFiveHundredFindingsAChunkNumberedFromZero() {
        List<Finding> findings = IntStream.range(0, 1_201).mapToObj(FindingChunksTest::small).toList();
        List<FindingsChunk> chunks = FindingChunks.of(COMMAND, "w-1", findings);
        assertEquals(List.of(0, 1, 2), chunks.stream().map(FindingsChunk::chunk).toList());
        assertEquals(List.of(500, 500, 201), chunks.stream().map(c -> c.findings().size()).toList());
        assertTrue(chunks.stream().allMatch(c -> c.commandId().equals(COMMAND) && c.workerId().equals("w-1")));
        assertEquals(findings, chunks.stream().flatMap(c -> c.findings().stream()).toList(), "all of them, in order");
    }

    @Test
    void largeFindingsAreBoundedAndChunksStayUnderTheByteLimit() throws IOException {
        List<Finding> findings = IntStream.range(0, 40).mapToObj(FindingChunksTest::huge).toList();
        List<FindingsChunk> chunks = FindingChunks.of(COMMAND, "w-1", findings);
        assertTrue(chunks.size() > 1, "40 bounded findings of this size do not fit one chunk: " + chunks.size());
        List<Finding> sent = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            byte[] json = ProtocolJson.bytes(chunks.get(i));
            assertTrue(json.length <= FindingsChunk.MAX_BYTES, "chunk " + i + ": " + json.length + " bytes");
            assertEquals(chunks.get(i), ProtocolJson.read(json, FindingsChunk.class), "what the service reads");
            assertEquals(i, chunks.get(i).chunk());
            sent.addAll(chunks.get(i).findings());
        }
        assertEquals(40, sent.size());
        Finding f = sent.get(0);
        assertEquals(Finding.RAW_LIMIT, f.raw().length());
        assertEquals(Finding.RAW_LIMIT, f.location().snippet().length());
        assertEquals(Finding.MESSAGE_LIMIT, f.message().length());
        assertEquals(Findings.TITLE_LIMIT, f.title().length());
        assertEquals(Findings.FIELD_LIMIT, f.location().url().length());
        assertEquals(Findings.REFERENCES_LIMIT, f.references().size());
        assertEquals("rule-0", f.ruleId());
        // one bounded finding alone is far under the limit, whatever it holds
        assertTrue(ProtocolJson.bytes(f).length < 200 * 1024, ProtocolJson.bytes(f).length + " bytes");
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String s = "a".repeat(Finding.MESSAGE_LIMIT - 1) + "\uD83D\uDD12tail";
        Finding f = Findings.bounded(Findings.of("t", "r", "t", "info", "code", Location.code("f", 1, 1, null), List.of(),
                null, s, "{}"));
        assertEquals(Finding.MESSAGE_LIMIT - 1, f.message().length());
    }

    @Test
    void aSecretLeavesTheWorkerWithoutItsValue() {
        Finding secret = new Finding("secretlint", "aws-key", "AWS secret key", "high", "secret",
                new Location("config.js", 3, 3, "  secret: \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\",", null, null, null,
                        null, null, null, null, null, null), List.of(), null, "found wJalrXUtnFEMI/K7MDENG", "{\"raw\": 1}");
        Finding sent = FindingChunks.of("c", "w", List.of(secret)).get(0).findings().get(0);
        assertEquals("secr****", sent.location().snippet());
        assertEquals(null, sent.message());
        assertEquals(null, sent.raw());
        assertTrue(sent.fingerprint().startsWith("sha256:") && sent.fingerprint().length() == 71, sent.fingerprint());
        assertTrue(!new String(ProtocolJson.bytes(sent)).contains("wJalrXUtnFEMI"), "the value is nowhere in the chunk");
        Finding again = FindingChunks.of("c", "w", List.of(new Finding("secretlint", "aws-key", "AWS secret key", "high",
                "secret", new Location("config.js", 13, 13, "secret: \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\",", null,
                null, null, null, null, null, null, null, null), List.of(), null, null, null))).get(0).findings().get(0);
        assertEquals(sent.fingerprint(), again.fingerprint(), "the same line ten lines down: the same fingerprint");
    }
}
