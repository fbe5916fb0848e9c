package dev.scanflow.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.scanflow.domain.ValidationError;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** RFC 7807 problem details, with Scanflow's {@code errors} extension for invalid documents. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record Problem(String type, String title, int status, String detail, String instance,
        List<ValidationError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://scanflow.dev/problems/";
}
