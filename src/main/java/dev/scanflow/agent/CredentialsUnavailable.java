package dev.scanflow.agent;

/**
 * A command's credentials could not be had or used: the step fails with {@link #CODE}. Its message
 * names credentials and says why, never a value.
 */
final class CredentialsUnavailable extends Exception {

    static final String CODE = "CREDENTIALS_UNAVAILABLE";

    CredentialsUnavailable(String message) {
        super(message, null, false, false);
    }
}
