package dev.scanflow;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PlatformEndpointsTest {

    @Test
    void readinessCoversDatabaseAndNats() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("nats", "Reactive PostgreSQL connections health check"));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void openApiDocumentsEveryEndpointAndTheProblemSchema() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/v1/pipelines'.post", notNullValue())
                .body("paths.'/api/v1/pipelines/{id}'.put", notNullValue())
                .body("paths.'/api/v1/pipelines/{id}/versions'.get", notNullValue())
                .body("paths.'/api/v1/pipelines/{id}/clone'.post", notNullValue())
                .body("paths.'/api/v1/pipelines/{id}/steps/reorder'.post", notNullValue())
                .body("paths.'/api/v1/pipelines/{id}/steps/{stepId}'.delete", notNullValue())
                .body("paths.'/api/v1/assets/{id}'.get", notNullValue())
                .body("components.schemas.Problem", notNullValue())
                .body("components.securitySchemes.jwt", notNullValue());
    }

    @Test
    void metricsArePrometheusText() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("http_server_requests"))
                .body(containsString("scanflow_steps_queued"))
                .body(containsString("scanflow_steps_waiting_for_worker"))
                .body(containsString("scanflow_steps_running"));
    }

    @Test
    void unknownPathsAreProblems() {
        given().get("/api/v1/nothing-here").then().statusCode(404);
    }
}
