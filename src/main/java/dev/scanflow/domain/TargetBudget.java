package dev.scanflow.domain;

/**
 * What one target (a host, a CIDR range, a repository) may take at once, across pipelines,
 * tenants and replicas: at most {@code maxActiveSteps} steps given to workers, and
 * {@code requestsPerSecond} (null: no rate) shared among them (docs/adr/0012-fair-admission.md).
 */
public record TargetBudget(String target, int maxActiveSteps, Integer requestsPerSecond) {

    /** The config key a step asks for its own rate with (the design document's nuclei step). */
    public static final String RATE_KEY = "rate_limit";

    /**
     * The rate one step may use: its share of the budget's rate (the rate divided among the
     * steps the budget lets run at once, at least 1), and no more than the step asks for
     * ({@code asked}, null: no ask). Null when neither sets a rate.
     */
    public Integer stepRate(Integer asked) {
        Integer share = requestsPerSecond == null ? null : Math.max(1, requestsPerSecond / Math.max(1, maxActiveSteps));
        if (share == null) {
            return asked;
        }
        return asked == null ? share : Math.min(asked, share);
    }
}
