package dev.scanflow.trigger;

import dev.scanflow.condition.ConditionCache;
import dev.scanflow.condition.ConditionException;
import dev.scanflow.pipeline.definition.TargetSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which assets a schedule's {@code targets} select: an asset matching any selector, where it
 * matches a selector when it matches every field of it ({@code asset_filter} CEL over the asset's
 * fields at top level; {@code asset_type}, {@code criticality}, {@code asset_id} any of their
 * values; {@code tags} all of them). No targets: every asset. Assets are the snapshots runs pin.
 */
public final class TargetSelection {

    private final ConditionCache filters;

    public TargetSelection(ConditionCache assetFilters) {
        this.filters = assetFilters;
    }

    /** The selected assets, and the ones whose filter failed to evaluate (with why). */
    public record Selected(List<Map<String, Object>> assets, Map<String, String> failed) {
    }

    public Selected select(List<TargetSelector> targets, List<Map<String, Object>> assets) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (Map<String, Object> asset : assets) {
            if (targets == null || targets.isEmpty()) {
                out.add(asset);
                continue;
            }
            boolean any = false;
            for (TargetSelector selector : targets) {
                try {
                    if (matches(selector, asset)) {
                        any = true;
                        break;
                    }
                } catch (ConditionException e) {
                    failed.put(String.valueOf(asset.get("id")), e.getMessage());
                }
            }
            if (any) {
                out.add(asset);
            }
        }
        return new Selected(out, failed);
    }

    boolean matches(TargetSelector s, Map<String, Object> asset) throws ConditionException {
        if (s.assetType() != null && !s.assetTypes().contains(String.valueOf(asset.get("type")))) {
            return false;
        }
        if (s.criticality() != null && !s.criticalities().contains(String.valueOf(asset.get("criticality")))) {
            return false;
        }
        if (s.assetId() != null && !s.assetIds().contains(String.valueOf(asset.get("id")))) {
            return false;
        }
        if (s.tags() != null) {
            @SuppressWarnings("unchecked")
            List<String> tags = (List<String>) asset.getOrDefault("tags", List.of());
            if (!tags.containsAll(s.tags())) {
                return false;
            }
        }
        return s.assetFilter() == null || filters.test(s.assetFilter(), variables(asset));
    }

    /** Whether an asset passes an {@code asset_filter} (discovery triggers use it too). */
    public boolean filter(String expression, Map<String, Object> asset) throws ConditionException {
        return filters.test(expression, variables(asset));
    }

    /** An asset filter's variables: the asset's fields at top level, and the asset as {@code asset}. */
    static Map<String, Object> variables(Map<String, Object> asset) {
        Map<String, Object> vars = new LinkedHashMap<>(asset);
        vars.put("asset", asset);
        return vars;
    }
}
