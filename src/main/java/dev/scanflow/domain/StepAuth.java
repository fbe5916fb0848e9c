package dev.scanflow.domain;

import java.util.Map;

/**
 * A step's {@code config.auth}: {@code {credential: staging-login}}, the scan credential its tool
 * uses against the target (by name; the value reaches the worker only when it runs the step).
 * Read where templates are checked and where commands are built.
 */
public final class StepAuth {

    public static final String AUTH = "auth";
    public static final String CREDENTIAL = "credential";

    private StepAuth() {
    }

    /** The credential a step's config names, or null. */
    public static String credential(Map<String, Object> config) {
        if (config == null || !(config.get(AUTH) instanceof Map<?, ?> auth)) {
            return null;
        }
        return auth.get(CREDENTIAL) instanceof String name ? name : null;
    }
}
