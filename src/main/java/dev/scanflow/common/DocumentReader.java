package dev.scanflow.common;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.scanflow.domain.ValidationError;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads request bodies in JSON or YAML strictly: size limit, duplicate keys, unknown fields and
 * wrong JSON types are all refused with the JSON path of the offending field, and
 * server-managed fields are refused by name. Malformed text is a 400, never a 500.
 */
@ApplicationScoped
public class DocumentReader {

    // The YAML media types bodies may come as, each written once (annotations need constants)
    public static final String YAML = "application/yaml";
    public static final String X_YAML = "application/x-yaml";
    public static final String TEXT_YAML = "text/yaml";
    public static final String TEXT_X_YAML = "text/x-yaml";
    public static final Set<String> YAML_TYPES = Set.of(YAML, X_YAML, TEXT_YAML, TEXT_X_YAML);

    private final ObjectMapper json;
    private final ObjectMapper yaml;
    private final ObjectMapper binder;
    private final long maxBytes;

    @jakarta.inject.Inject
    public DocumentReader(ObjectMapper quarkusMapper, dev.scanflow.config.ScanflowConfig config) {
        this(quarkusMapper, config.api().maxDocumentBytes());
    }

    public DocumentReader(ObjectMapper quarkusMapper, long maxBytes) {
        this.maxBytes = maxBytes;
        this.json = quarkusMapper.copy().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
        LoaderOptions loader = new LoaderOptions();
        loader.setMaxAliasesForCollections(20);
        loader.setAllowDuplicateKeys(false);
        loader.setNestingDepthLimit(64);
        loader.setCodePointLimit((int) Math.min(Integer.MAX_VALUE, maxBytes));
        this.yaml = new YAMLMapper(YAMLFactory.builder().loaderOptions(loader)
                .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build());
        this.binder = quarkusMapper.copy()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        // "name: 123" is a wrong type, not a string; "count: '3'" is not a number.
        for (LogicalType target : List.of(LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean)) {
            var config = binder.coercionConfigFor(target);
            for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.String)) {
                config.setCoercion(shape, CoercionAction.Fail);
            }
        }
        binder.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
        binder.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Float, CoercionAction.TryConvert);
        binder.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
        binder.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        binder.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Boolean, CoercionAction.TryConvert);
    }

    public long maxBytes() {
        return maxBytes;
    }

    public static boolean isYaml(String contentType) {
        if (contentType == null) {
            return false;
        }
        String base = contentType.split(";")[0].trim().toLowerCase();
        return YAML_TYPES.contains(base);
    }

    /** Parses the body into a tree: JSON unless the content type says YAML. */
    public JsonNode parse(byte[] body, String contentType) {
        if (body == null || body.length == 0) {
            throw ApiException.malformed("the request body is empty");
        }
        if (body.length > maxBytes) {
            throw ApiException.tooLarge(maxBytes, "SCANFLOW_API_MAX_DOCUMENT_BYTES");
        }
        boolean isYaml = isYaml(contentType);
        try {
            JsonNode node = (isYaml ? yaml : json).readTree(body);
            if (node == null || node.isMissingNode() || node.isNull()) {
                throw ApiException.malformed("the request body is empty");
            }
            List<ValidationError> unstorable = StorableStrings.problems(node);
            if (!unstorable.isEmpty()) {
                throw ApiException.invalid("Invalid request body", unstorable);
            }
            return node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw ApiException.malformed((isYaml ? "malformed YAML: " : "malformed JSON: ") + e.getOriginalMessage() + where);
        } catch (RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            // SnakeYAML reports some limits (aliases, nesting, size) as plain runtime exceptions
            throw ApiException.malformed((isYaml ? "malformed YAML: " : "malformed JSON: ") + e.getMessage());
        } catch (IOException e) {
            throw ApiException.malformed("unreadable body: " + e.getMessage());
        }
    }

    /**
     * Binds a tree to a type. Fields named in {@code serverManaged} are refused with 422 (the
     * server sets them); any other problem is a 422 naming the path.
     */
    public <T> T bind(JsonNode node, Class<T> type, String title, Set<String> serverManaged) {
        if (!node.isObject()) {
            throw ApiException.invalid(title, List.of(ValidationError.at("$", "the body must be an object")));
        }
        List<ValidationError> managed = serverManaged.stream().filter(node::has).sorted()
                .map(f -> ValidationError.at("$." + f, "is set by the server and must not be sent"))
                .toList();
        if (!managed.isEmpty()) {
            throw ApiException.invalid(title, managed);
        }
        try {
            return binder.treeToValue(node, type);
        } catch (JsonMappingException e) {
            throw ApiException.invalid(title, List.of(ValidationError.at(path(e), describe(e))));
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(title, List.of(ValidationError.at("$", e.getOriginalMessage())));
        }
    }

    /** Serializes to YAML with the same naming as JSON. */
    public ObjectMapper yamlWriter() {
        return yaml;
    }

    static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder("$");
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                out.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    static String describe(JsonMappingException e) {
        if (e instanceof UnrecognizedPropertyException u) {
            var known = u.getKnownPropertyIds() == null ? List.of()
                    : u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            return "unknown field '" + u.getPropertyName() + "'" + (known.isEmpty() ? "" : " (known fields: " + String.join(", ", known.stream().map(String::valueOf).toList()) + ")");
        }
        if (e instanceof InvalidFormatException f) {
            return "wrong type: expected " + simpleType(f.getTargetType()) + ", got " + f.getValue();
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "wrong type: expected " + simpleType(m.getTargetType());
        }
        return e.getOriginalMessage();
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "value";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean (true or false)";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type)) {
            return "an object";
        }
        if (type.isRecord()) {
            return "an object";
        }
        return type.getSimpleName();
    }
}
