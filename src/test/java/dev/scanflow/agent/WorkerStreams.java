package dev.scanflow.agent;

import dev.scanflow.protocol.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.util.List;

/**
 * The streams a reference worker publishes into (results, logs, findings), made for the worker
 * tests that run without the service under their own subjects, and dropped after them.
 */
final class WorkerStreams {

    private static final List<String> KINDS = List.of("RESULTS", "LOGS", "FINDINGS");

    private WorkerStreams() {
    }

    static void create(Connection nats, Subjects subjects) throws IOException, JetStreamApiException {
        var jsm = nats.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name(subjects.stream("RESULTS")).subjects(subjects.results()).build());
        jsm.addStream(StreamConfiguration.builder().name(subjects.stream("LOGS")).subjects(subjects.logs()).build());
        jsm.addStream(StreamConfiguration.builder().name(subjects.stream("FINDINGS")).subjects(subjects.allFindings())
                .build());
    }

    static void drop(Connection nats, Subjects subjects) throws IOException, JetStreamApiException {
        var jsm = nats.jetStreamManagement();
        for (String kind : KINDS) {
            jsm.deleteStream(subjects.stream(kind));
        }
    }
}
