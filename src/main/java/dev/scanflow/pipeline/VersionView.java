package dev.scanflow.pipeline;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;

/** One entry of a pipeline's version history. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record VersionView(int version, boolean isLatest, String name, String createdBy, Instant createdAt) {
}
