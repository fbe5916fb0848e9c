package dev.scanflow.common;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** One page of a list: the items and the cursor of the next page, null on the last. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record Page<T>(List<T> items, String nextCursor) {
}
