package dev.scanflow.common;

import java.util.List;

/** One page of a list: the items and the cursor of the next page, null on the last. */
public record Page<T>(List<T> items, String nextCursor) {
}
