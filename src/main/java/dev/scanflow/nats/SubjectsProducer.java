package dev.scanflow.nats;

import dev.scanflow.config.ScanflowConfig;
import dev.scanflow.protocol.Subjects;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The protocol's subjects under the configured prefixes (scanflow.nats.subject-prefix, stream-prefix). */
public class SubjectsProducer {

    @Produces
    @Singleton
    Subjects subjects(ScanflowConfig config) {
        return new Subjects(config.nats().subjectPrefix(), config.nats().streamPrefix());
    }
}
