package dev.scanflow.run;

/**
 * Who or what started a run: {@code trigger_type} (manual, schedule, webhook, asset_discovery,
 * api), {@code triggered_by} in the design document's form ({@code user:admin@example.com},
 * {@code schedule:...}, {@code webhook:...}), and the user when a person did (put in
 * {@code context.user}).
 */
public record RunOrigin(String type, String triggeredBy, String user) {

    public static RunOrigin manual(String user) {
        return new RunOrigin("manual", "user:" + user, user);
    }
}
