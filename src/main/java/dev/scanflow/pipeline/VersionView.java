package dev.scanflow.pipeline;

import java.time.Instant;

/** One entry of a pipeline's version history. */
public record VersionView(int version, boolean isLatest, String name, String createdBy, Instant createdAt) {
}
