package dev.scanflow.common;

import static dev.scanflow.support.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.scanflow.support.Api;
import dev.scanflow.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every error is RFC 7807 problem+json, also those the framework answers before a resource runs. */
@QuarkusTest
class ErrorBodiesTest {

    private final String admin = TestTokens.admin(Api.newTenant());

    private static ValidatableResponse problem(ValidatableResponse r, int status) {
        return r.statusCode(status).contentType("application/problem+json").body("status", equalTo(status))
                .body("type", containsString("/problems/")).body("title", notNullValue()).body("detail", notNullValue());
    }

    @Test
    void aBodyOverTheDocumentLimitIsA413ProblemNamingTheLimit() {
        String big = "{\"name\":\"big\",\"type\":\"repository\",\"value\":\"" + "x".repeat(600_000) + "\"}";
        problem(as(admin).contentType("application/json").body(big).post("/api/v1/assets").then(), 413)
                .body("detail", containsString("524288")).body("detail", containsString("SCANFLOW_API_MAX_DOCUMENT_BYTES"));
    }

    @Test
    void aBodyOverTheHttpLimitIsA413ProblemNamingTheLimit() {
        byte[] huge = new byte[3 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        problem(as(admin).contentType("application/json").body(huge).post("/api/v1/pipelines").then(), 413)
                .body("detail", containsString("2097152")).body("detail", containsString("max-body-size"));
        problem(given().contentType("application/json").body(huge).post("/api/v1/webhooks/" + UUID.randomUUID()).then(), 413);
    }

    @io.quarkus.test.common.http.TestHTTPResource("/api/v1/pipelines")
    java.net.URI pipelines;

    @Test
    void aChunkedBodyOverTheLimitIsA413ProblemToo() throws Exception {
        // no Content-Length: the size is only known while reading
        var request = java.net.http.HttpRequest.newBuilder(pipelines).header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(" ".repeat(3 * 1024 * 1024).getBytes())))
                .build();
        var response = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(413, response.statusCode(), response.body());
        org.junit.jupiter.api.Assertions.assertEquals("application/problem+json",
                response.headers().firstValue("Content-Type").orElse(""), response.body());
        org.junit.jupiter.api.Assertions.assertTrue(response.body().contains("\"status\":413"), response.body());
        // a chunked body within the limit reaches the resource whole
        String asset = "{\"name\":\"chunked\",\"type\":\"repository\",\"url\":\"https://github.com/acme/chunked\"}";
        var ok = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                .send(java.net.http.HttpRequest.newBuilder(pipelines.resolve("/api/v1/assets"))
                        .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream(asset.getBytes())))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(201, ok.statusCode(), ok.body());
        org.junit.jupiter.api.Assertions.assertTrue(ok.body().contains("acme/chunked"), ok.body());
    }

    @Test
    void unknownPathsMethodsAndMediaTypesAreProblems() {
        problem(as(admin).get("/api/v1/no-such-thing").then(), 404);
        problem(given().get("/no-such-page").then(), 404);
        problem(as(admin).delete("/api/v1/pipelines").then(), 405);
        problem(as(admin).contentType("text/plain").body("name: x").post("/api/v1/assets").then(), 415);
        problem(as(admin).accept("image/png").get("/api/v1/pipelines").then(), 406);
    }
}
