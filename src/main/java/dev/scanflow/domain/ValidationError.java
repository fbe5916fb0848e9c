package dev.scanflow.domain;

/**
 * One problem with a document a user sent: where it is (a JSON path such as
 * {@code $.steps[1].depends_on[0]}) and what is wrong, in plain words.
 */
public record ValidationError(String path, String message) {

    public static ValidationError at(String path, String message) {
        return new ValidationError(path, message);
    }
}
