package dev.scanflow.auth;

/** Roles from the token's {@code groups} claim. Each role includes the ones below it. */
public final class Roles {

    /** Manages templates and assets, and everything an operator may. */
    public static final String ADMIN = "admin";
    /** Triggers, cancels and retries runs; reads everything. */
    public static final String OPERATOR = "operator";
    /** Operates the shared infrastructure: may drain and resume shared workers. */
    public static final String PLATFORM_ADMIN = "platform-admin";
    /** Reads only. */
    public static final String VIEWER = "viewer";

    private Roles() {
    }
}
