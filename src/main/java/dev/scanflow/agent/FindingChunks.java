package dev.scanflow.agent;

import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.FindingsChunk;
import dev.scanflow.protocol.ProtocolJson;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's findings as the chunks the worker sends (protocol 2.2): each finding cut to the
 * protocol's limits (after redaction, so no cut leaves part of a value), then packed in order,
 * at most {@link FindingsChunk#MAX_FINDINGS} and {@link FindingsChunk#MAX_BYTES} of JSON per
 * chunk, numbered from 0. No findings, no chunks. A finding within the limits is under 200 KiB
 * of JSON even if every character had to be escaped, so each fits a chunk on its own.
 */
final class FindingChunks {

    private FindingChunks() {
    }

    static List<FindingsChunk> of(String commandId, String workerId, List<Finding> findings) {
        List<FindingsChunk> chunks = new ArrayList<>();
        List<Finding> current = new ArrayList<>();
        // the chunk's JSON is its envelope with an empty list, plus each finding's JSON and a comma between two
        long size = envelope(commandId, workerId, 0);
        for (Finding f : findings) {
            Finding bounded = Findings.bounded(f);
            int bytes = ProtocolJson.bytes(bounded).length;
            boolean full = current.size() == FindingsChunk.MAX_FINDINGS
                    || !current.isEmpty() && size + 1 + bytes > FindingsChunk.MAX_BYTES;
            if (full) {
                chunks.add(new FindingsChunk(commandId, workerId, chunks.size(), List.copyOf(current)));
                current.clear();
                size = envelope(commandId, workerId, chunks.size());
            }
            size += (current.isEmpty() ? 0 : 1) + bytes;
            current.add(bounded);
        }
        if (!current.isEmpty()) {
            chunks.add(new FindingsChunk(commandId, workerId, chunks.size(), List.copyOf(current)));
        }
        return chunks;
    }

    private static long envelope(String commandId, String workerId, int chunk) {
        return ProtocolJson.bytes(new FindingsChunk(commandId, workerId, chunk, List.of())).length;
    }
}
