package dev.scanflow.support;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Small helpers for API tests: a fresh tenant per test class keeps tests independent. */
public final class Api {

    /** YAML bodies are sent as text; set per request, since the test frameworks reset the global config. */
    private static final io.restassured.config.EncoderConfig YAML_AS_TEXT = io.restassured.config.EncoderConfig
            .encoderConfig().encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT);

    private Api() {
    }

    public static RequestSpecification as(String token) {
        return given().config(io.restassured.RestAssured.config().encoderConfig(YAML_AS_TEXT)).auth().oauth2(token);
    }

    public static UUID newTenant() {
        return UUID.randomUUID();
    }

    public static String fixture(String relative) {
        try {
            return Files.readString(Path.of("src/test/resources", relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed template with another name, so tests can create it many times. */
    public static String seedTemplate(String name) {
        return fixture("pipelines/valid/full-security-scan.yaml").replace("name: Full Security Scan", "name: " + name);
    }
}
