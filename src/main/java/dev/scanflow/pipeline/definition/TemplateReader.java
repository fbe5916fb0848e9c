package dev.scanflow.pipeline.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scanflow.common.TreeReader;
import dev.scanflow.condition.ConditionCompiler;
import dev.scanflow.domain.ValidationError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a pipeline template as users write it (the design document's format, YAML or JSON,
 * already parsed) into its normalized definition, or lists everything wrong with it, each error
 * with its JSON path: structure (unknown fields, wrong types) and meaning (the DAG, conditions,
 * crons, zones) in one answer. Plain Java: thread-safe and unit-tested without Quarkus.
 *
 * <p>Fields the server owns and shows in its answers ({@code id}, {@code tenant_id},
 * {@code version}, ...) may be sent, as the document's example does and as a template read
 * from the API carries them; they are returned in {@link Result#readOnly} for the caller to
 * check, and never stored from the body.
 */
public final class TemplateReader {

    /** Fields the server sets; accepted in a body (and checked by the caller), never taken from it. */
    public static final Set<String> READ_ONLY = Set.of("id", "tenant_id", "version", "is_active", "is_system",
            "is_template", "slug", "derived_from", "created_by", "created_at", "updated_at");
    private static final Pattern TAG = dev.scanflow.common.NameRules.TAG;

    private final StepReader steps;
    private final TriggerReader triggers;
    private final SettingsReader settings = new SettingsReader();

    public TemplateReader(ConditionCompiler stepConditions, ConditionCompiler assetFilters,
            ConditionCompiler payloadFilters) {
        this.steps = new StepReader(new ConditionReader(stepConditions));
        this.triggers = new TriggerReader(assetFilters, payloadFilters);
    }

    /**
     * The normalized template or the errors (never both), and the read-only fields the body
     * carried.
     */
    public record Result(TemplateDefinition definition, List<ValidationError> errors, Map<String, JsonNode> readOnly) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    public Result read(JsonNode document) {
        TreeReader reader = new TreeReader();
        TreeReader.Fields f = reader.object(document, "$");
        if (f == null) {
            return new Result(null, List.of(ValidationError.at("$", "the body must be an object (a pipeline template)")),
                    Map.of());
        }
        Map<String, JsonNode> readOnly = new LinkedHashMap<>();
        for (String field : READ_ONLY) {
            JsonNode v = f.quiet(field);
            if (v != null) {
                readOnly.put(field, v);
            }
        }
        String name = Texts.required(f.text("name"), f.path("name"), 128, reader);
        String description = Texts.optional(f.text("description"), f.path("description"), 4_000, reader);
        List<String> tags = tags(f, reader);
        List<TriggerSpec> triggerList = triggers.read(f, reader);
        SettingsSpec settingsSpec = settings.read(f, reader);
        List<StepSpec> stepList = steps.readAll(f.raw("steps"), f.path("steps"), reader);
        f.done();
        if (!reader.errors().isEmpty()) {
            return new Result(null, List.copyOf(reader.errors()), readOnly);
        }
        return new Result(new TemplateDefinition(name, description, tags, triggerList, stepList, settingsSpec),
                List.of(), readOnly);
    }

    private static List<String> tags(TreeReader.Fields f, TreeReader reader) {
        List<String> given = f.strings("tags");
        if (given == null) {
            return List.of();
        }
        if (given.size() > 50) {
            reader.error(f.path("tags"), "at most 50 tags");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String t = given.get(i);
            if (!TAG.matcher(t).matches()) {
                reader.error(f.path("tags") + "[" + i + "]", "'" + t + "' is not a valid tag (" + dev.scanflow.common.NameRules.TAG_TEXT + ")");
            } else if (!out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }
}
