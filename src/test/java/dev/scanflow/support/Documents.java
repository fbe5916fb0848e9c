package dev.scanflow.support;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.scanflow.common.DocumentReader;

/** The document reader and JSON mapper as the service builds them, without a Quarkus boot. */
public final class Documents {

    private Documents() {
    }

    public static ObjectMapper mapper() {
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .registerModule(new JavaTimeModule());
    }

    public static DocumentReader reader() {
        return new DocumentReader(mapper(), 524_288);
    }
}
