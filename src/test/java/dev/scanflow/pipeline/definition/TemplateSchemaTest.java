package dev.scanflow.pipeline.definition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.scanflow.domain.AssetTypes;
import dev.scanflow.support.Documents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/schema/pipeline-template.schema.json, checked with a JSON Schema validator (networknt,
 * draft 2020-12): every valid template passes, in the form users write and in the form the API
 * answers; every invalid fixture marked "# schema: invalid" fails it.
 */
class TemplateSchemaTest {

    static final Path SCHEMA = Path.of("docs/schema/pipeline-template.schema.json");
    private static final ObjectMapper JSON = Documents.mapper();
    private static final Schema VALIDATOR;

    static {
        try {
            VALIDATOR = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(Files.readString(SCHEMA), InputFormat.JSON);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Error> check(JsonNode document) {
        return new ArrayList<>(VALIDATOR.validate(document));
    }

    static Stream<Path> valid() throws IOException {
        return TemplateReaderTest.valid();
    }

    static Stream<Path> structurallyInvalid() throws IOException {
        return TemplateReaderTest.invalid().filter(p -> {
            try {
                return Files.readAllLines(p).contains("# schema: invalid");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("valid")
    void validTemplatesPassTheSchema(Path file) throws IOException {
        assertEquals(List.of(), check(TemplateReaderTest.parse(file)), file.toString());
    }

    @ParameterizedTest
    @MethodSource("valid")
    void theApisAnswersPassTheSchemaToo(Path file) throws IOException {
        // what GET returns (nulls for unset step fields, long forms) can be sent back as it is
        TemplateDefinition d = TemplateReaderTest.READER.read(TemplateReaderTest.parse(file)).definition();
        JsonNode answer = JSON.valueToTree(d);
        assertEquals(List.of(), check(answer), file + " as answered: " + answer);
    }

    @ParameterizedTest
    @MethodSource("structurallyInvalid")
    void structurallyInvalidTemplatesFailTheSchema(Path file) throws IOException {
        assertFalse(check(TemplateReaderTest.parse(file)).isEmpty(), file + " passed the schema");
    }

    @Test
    void thereAreStructurallyInvalidFixtures() throws IOException {
        assertTrue(structurallyInvalid().count() >= 15);
    }

    @Test
    void theSchemaKnowsTheAssetTypesAndCriticalitiesTheServiceKnows() throws IOException {
        JsonNode schema = JSON.readTree(SCHEMA.toFile());
        assertEquals(AssetTypes.ALL, JSON.convertValue(schema.at("/$defs/assetType/enum"), List.class));
        assertEquals(AssetTypes.CRITICALITIES, JSON.convertValue(schema.at("/$defs/criticality/enum"), List.class));
        assertEquals(ConditionSpec.TYPES,
                JSON.convertValue(schema.at("/$defs/condition/anyOf/1/properties/type/enum"), List.class));
    }

    @Test
    void theSchemaIsADraft202012Schema() throws IOException {
        JsonNode schema = JSON.readTree(SCHEMA.toFile());
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
    }
}
