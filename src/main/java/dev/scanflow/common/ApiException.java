package dev.scanflow.common;

import dev.scanflow.domain.ValidationError;
import java.util.List;

/**
 * A failure that a client caused and should read: it becomes an RFC 7807 problem with this
 * status, a stable type, a title and, for invalid documents, the list of errors by JSON path.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final List<ValidationError> errors;

    public ApiException(int status, String type, String title, String detail, List<ValidationError> errors) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public static ApiException invalid(String title, List<ValidationError> errors) {
        String detail = errors.size() == 1
                ? errors.get(0).path() + ": " + errors.get(0).message()
                : errors.size() + " errors; see 'errors'";
        return new ApiException(422, "validation-error", title, detail, errors);
    }

    public static ApiException invalid(String path, String message) {
        return invalid("Invalid request", List.of(ValidationError.at(path, message)));
    }

    public static ApiException malformed(String detail) {
        return new ApiException(400, "malformed-body", "Malformed request body", detail, List.of());
    }

    public static ApiException badParameter(String name, String message) {
        return new ApiException(400, "invalid-parameter", "Invalid query parameter", name + ": " + message,
                List.of(ValidationError.at(name, message)));
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not-found", "Not found", what + " was not found", List.of());
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", "Forbidden", detail, List.of());
    }

    public static ApiException conflict(String detail) {
        return new ApiException(409, "conflict", "Conflict", detail, List.of());
    }

    /** The server lacks a setting it needs for this request: the operator's to fix, not the client's. */
    public static ApiException notConfigured(String detail) {
        return new ApiException(503, "not-configured", "Service not configured", detail, List.of());
    }

    /** A body over a limit, naming the limit and the setting that raises it. */
    public static ApiException tooLarge(long limit, String setting) {
        return new ApiException(413, "payload-too-large", "Payload too large", tooLargeDetail(limit, setting), List.of());
    }

    static String tooLargeDetail(long limit, String setting) {
        return "the request body is larger than " + limit + " bytes (" + setting + ")";
    }

    public static ApiException unsupportedMediaType(String given) {
        return new ApiException(415, "unsupported-media-type", "Unsupported media type",
                "send application/json or application/yaml, not " + given, List.of());
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public List<ValidationError> errors() {
        return errors;
    }
}
