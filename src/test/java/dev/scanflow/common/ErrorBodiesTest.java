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
    void aBodyOverTheHttpLimitIsA413ProblemNamingTheLimit() throws Exception {
        String refused = headersOnly("/api/v1/pipelines", admin, 3 * 1024 * 1024);
        org.junit.jupiter.api.Assertions.assertTrue(refused.startsWith("HTTP/1.1 413"), refused);
        org.junit.jupiter.api.Assertions.assertTrue(refused.toLowerCase().contains("content-type: application/problem+json"), refused);
        org.junit.jupiter.api.Assertions.assertTrue(refused.contains("2097152") && refused.contains("max-body-size"), refused);
        String webhook = headersOnly("/api/v1/webhooks/" + UUID.randomUUID(), null, 3 * 1024 * 1024);
        org.junit.jupiter.api.Assertions.assertTrue(webhook.startsWith("HTTP/1.1 413") && webhook.contains("\"status\":413"), webhook);
    }

    /**
     * Sends a POST's headers as curl does for a large body (Expect: 100-continue) and reads the
     * answer: the refusal comes before any body byte, so the test does not race the server's close
     * of the connection (a client still writing the body then may see a broken pipe instead).
     * Java's HttpClient is not used: in JDK 17 it waits forever on a final answer to Expect.
     */
    private String headersOnly(String path, String token, long contentLength) throws Exception {
        try (var socket = new java.net.Socket(pipelines.getHost(), pipelines.getPort())) {
            socket.setSoTimeout(30_000);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + pipelines.getHost() + "\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + "Content-Type: application/json\r\nContent-Length: " + contentLength
                    + "\r\nExpect: 100-continue\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
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
