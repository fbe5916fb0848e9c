package dev.scanflow.condition;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a condition may read, typed: the design document's names and Scanflow's additions. CEL
 * checks field names and types when a template is saved, so {@code asset.typo == 'x'} or
 * {@code steps.sast.findings_count > 'many'} is a 422 then instead of a failed step later.
 * At run time the values stay plain maps; CEL selects their fields by name.
 *
 * <p>{@code context} is the one open map: runs may carry keys of their own. Its documented
 * fields are checked by name (and read as {@code ''} when a run did not set them); a key of
 * one's own is read as {@code context['key']}.
 */
public final class ConditionVariables {

    /** The context fields the document and Scanflow's triggers set; read as '' when a run has none. */
    public static final List<String> CONTEXT_FIELDS = List.of("repository", "branch", "commit", "tag", "environment",
            "user");

    private static final MapType MAP_OF_DYN = MapType.create(SimpleType.STRING, SimpleType.DYN);

    /** An asset as runs pin it and filters see it. */
    static final StructType ASSET = struct("scanflow.Asset", fields(
            "id", SimpleType.STRING,
            "type", SimpleType.STRING,
            "name", SimpleType.STRING,
            "url", SimpleType.STRING,
            "has_url", SimpleType.BOOL,
            "tags", ListType.create(SimpleType.STRING),
            "criticality", SimpleType.STRING,
            "properties", MAP_OF_DYN));

    /** An earlier step's result, as {@code steps.<id>}. */
    static final StructType STEP = struct("scanflow.Step", fields(
            "status", SimpleType.STRING,
            "findings_count", SimpleType.INT,
            "findings_by_severity", MapType.create(SimpleType.STRING, SimpleType.INT),
            "new_findings_count", SimpleType.INT,
            "new_findings_by_severity", MapType.create(SimpleType.STRING, SimpleType.INT),
            "output", MAP_OF_DYN,
            "error_code", SimpleType.STRING,
            "attempt", SimpleType.INT));

    /** The run itself. */
    static final StructType RUN = struct("scanflow.Run", fields(
            "id", SimpleType.STRING,
            "trigger_type", SimpleType.STRING,
            "triggered_by", SimpleType.STRING));

    static final CelTypeProvider TYPES = new CelTypeProvider() {
        private final ImmutableList<CelType> all = ImmutableList.of(ASSET, STEP, RUN);

        @Override
        public ImmutableList<CelType> types() {
            return all;
        }

        @Override
        public Optional<CelType> findType(String name) {
            return all.stream().filter(t -> t.name().equals(name)).findFirst();
        }
    };

    private ConditionVariables() {
    }

    /** Step conditions: the asset, the steps before this one, the run's context, the run. */
    static Map<String, CelType> stepConditions() {
        return fields("asset", ASSET, "steps", MapType.create(SimpleType.STRING, STEP), "context", MAP_OF_DYN,
                "run", RUN);
    }

    /** Asset filters: the asset's fields at top level, as the document writes them, and the whole asset. */
    static Map<String, CelType> assetFilters() {
        Map<String, CelType> vars = new LinkedHashMap<>();
        ASSET.fieldNames().forEach(f -> vars.put(f, ASSET.findField(f).orElseThrow().type()));
        vars.put("asset", ASSET);
        return vars;
    }

    /** Webhook filters: the delivery's JSON payload and its event. */
    static Map<String, CelType> payloadFilters() {
        return fields("payload", MAP_OF_DYN, "event", SimpleType.STRING);
    }

    private static StructType struct(String name, Map<String, CelType> fields) {
        return StructType.create(name, ImmutableSet.copyOf(fields.keySet()), f -> Optional.ofNullable(fields.get(f)));
    }

    private static Map<String, CelType> fields(Object... nameThenType) {
        Map<String, CelType> out = new LinkedHashMap<>();
        for (int i = 0; i < nameThenType.length; i += 2) {
            out.put((String) nameThenType[i], (CelType) nameThenType[i + 1]);
        }
        return out;
    }
}
