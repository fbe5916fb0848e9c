package dev.scanflow.common;

import java.util.UUID;

/** Ids taken from request paths: anything that is not a UUID names nothing, so it is a 404. */
public final class PathIds {

    private PathIds() {
    }

    public static UUID uuid(String id, String what) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound(what + " " + id);
        }
    }
}
