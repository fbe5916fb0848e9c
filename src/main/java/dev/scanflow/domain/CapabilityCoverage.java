package dev.scanflow.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a tenant's online workers can run a template's steps today: a step is covered when one
 * worker has every capability it needs (as {@link WorkerMatcher} requires; its tool is only
 * preferred). Load is left out: a busy worker still runs the step later.
 */
public final class CapabilityCoverage {

    /** What one online worker offers. */
    public record Offer(Set<String> capabilities, Set<String> tools) {
    }

    /** What one step needs. */
    public record Need(String stepId, Collection<String> capabilities, String tool) {
    }

    /**
     * @param missingCapabilities what the closest worker lacks (all of the step's when no worker is online)
     * @param preferredTool       whether a covering worker also has the step's tool
     */
    public record StepCoverage(String stepId, boolean covered, boolean preferredTool, List<String> missingCapabilities) {
    }

    /** @param missingCapabilities every capability some uncovered step lacks */
    public record Coverage(boolean runnable, List<String> missingCapabilities, List<StepCoverage> steps) {
    }

    private CapabilityCoverage() {
    }

    public static Coverage of(List<Need> steps, List<Offer> offers) {
        List<StepCoverage> out = new ArrayList<>();
        Set<String> missing = new LinkedHashSet<>();
        for (Need step : steps) {
            List<String> closest = null;
            boolean preferred = false;
            for (Offer offer : offers) {
                List<String> lacking = step.capabilities().stream().filter(c -> !offer.capabilities().contains(c)).toList();
                if (lacking.isEmpty() && step.tool() != null && offer.tools().contains(step.tool())) {
                    preferred = true;
                }
                if (closest == null || lacking.size() < closest.size()) {
                    closest = lacking;
                }
            }
            if (closest == null) {
                closest = List.copyOf(step.capabilities());
            }
            missing.addAll(closest);
            out.add(new StepCoverage(step.stepId(), !offers.isEmpty() && closest.isEmpty(), preferred, closest));
        }
        return new Coverage(out.stream().allMatch(StepCoverage::covered), List.copyOf(missing), out);
    }
}
