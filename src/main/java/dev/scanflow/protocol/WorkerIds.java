package dev.scanflow.protocol;

import java.util.regex.Pattern;

/** A worker id: chosen by the worker, unique in an installation, one token of its subjects. */
public final class WorkerIds {

    public static final Pattern PATTERN = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    private WorkerIds() {
    }

    public static boolean valid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }
}
