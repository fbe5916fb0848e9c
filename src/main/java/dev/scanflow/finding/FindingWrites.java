package dev.scanflow.finding;

import dev.scanflow.domain.WorkerResult;
import dev.scanflow.engine.CommandOutbox.ScanOfFindings;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.ProtocolJson;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The writes of findings (docs/adr/0011-findings.md), each on the caller's transaction: a chunk
 * of a command's findings (stored once per command and chunk), the fixes of a completed step,
 * and their undoing when the engine did not complete the step after all.
 */
@ApplicationScoped
public class FindingWrites {

    /** A finding checked and identified, with the suppression (if any) in force for it. */
    record Filed(String identity, Finding finding, UUID suppressionId) {
    }

    /** Records the chunk; false when it was recorded before (a redelivery: nothing else is written). */
    Uni<Boolean> claimChunk(SqlClient tx, UUID commandId, int chunk, int findings) {
        return tx.preparedQuery("INSERT INTO finding_chunks (command_id, chunk, findings) VALUES ($1, $2, $3) "
                        + "ON CONFLICT DO NOTHING")
                .execute(Tuple.of(commandId, chunk, findings))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Suppressions of the tenant in force on the asset. */
    Uni<List<SuppressionRule>> suppressions(SqlClient client, UUID tenant, UUID asset, Instant now) {
        return client.preparedQuery("SELECT id, asset_id, identity, rule_id, pattern, expires_at FROM finding_suppressions "
                        + "WHERE tenant_id = $1 AND (asset_id IS NULL OR asset_id = $2) AND (expires_at IS NULL OR expires_at > $3)")
                .execute(Tuple.of(tenant, asset, now.atOffset(java.time.ZoneOffset.UTC)))
                .map(rows -> {
                    List<SuppressionRule> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new SuppressionRule(r.getUUID("id"), r.getUUID("asset_id"),
                            r.getString("identity"), r.getString("rule_id"), r.getString("pattern"),
                            dev.scanflow.common.PgValues.instant(r, "expires_at"))));
                    return out;
                });
    }

    /**
     * Files a chunk's findings on the command's asset and records what the run saw of each: new,
     * unchanged or reopened (seen again after a fix, or after its suppression ended). A finding
     * already seen in this run keeps its change; one another step of this run fixed is unchanged.
     * One statement for the findings, one for the observations, in identity order (the order
     * fixes and their undoing lock findings in too; a deadlock that still happens is retried
     * with the chunk).
     */
    Uni<Void> file(SqlClient tx, ScanOfFindings scan, List<Filed> findings) {
        if (findings.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Filed> unique = new LinkedHashMap<>();
        findings.forEach(f -> unique.putIfAbsent(f.identity(), f));
        List<Filed> sorted = new ArrayList<>(unique.values());
        sorted.sort(Comparator.comparing(Filed::identity));
        int n = sorted.size();
        UUID[] ids = new UUID[n];
        String[] identity = new String[n];
        String[] kind = new String[n];
        String[] tool = new String[n];
        String[] rule = new String[n];
        String[] title = new String[n];
        String[] severity = new String[n];
        String[] location = new String[n];
        String[] refs = new String[n];
        String[] fingerprint = new String[n];
        String[] message = new String[n];
        String[] raw = new String[n];
        UUID[] suppression = new UUID[n];
        for (int i = 0; i < n; i++) {
            Filed f = sorted.get(i);
            Finding x = f.finding();
            ids[i] = UUID.randomUUID();
            identity[i] = f.identity();
            kind[i] = x.kind();
            tool[i] = x.tool();
            rule[i] = x.ruleId();
            title[i] = x.title();
            severity[i] = x.severity();
            location[i] = x.location() == null ? "{}" : new String(ProtocolJson.bytes(x.location()), StandardCharsets.UTF_8);
            refs[i] = new String(ProtocolJson.bytes(x.references() == null ? List.of() : x.references()),
                    StandardCharsets.UTF_8);
            fingerprint[i] = x.fingerprint();
            message[i] = x.message();
            raw[i] = x.raw();
            suppression[i] = f.suppressionId();
        }
        Tuple args = Tuple.tuple(Arrays.asList(scan.tenantId(), scan.assetId(), scan.runId(), ids, identity, kind, tool,
                rule, title, severity, location, refs, fingerprint, message, raw, suppression));
        return tx.preparedQuery("INSERT INTO findings AS f (id, tenant_id, asset_id, identity, kind, tools, rule_id, title, "
                        + "severity, location, refs, fingerprint, message, raw, state, first_seen_run, first_seen_at, "
                        + "last_seen_run, last_seen_at, suppression_id) "
                        + "SELECT i.id, $1, $2, i.identity, i.kind, ARRAY[i.tool], i.rule_id, i.title, i.severity, "
                        + "i.location::jsonb, ARRAY(SELECT jsonb_array_elements_text(i.refs::jsonb)), i.fingerprint, "
                        + "i.message, i.raw, 'new', $3, now(), $3, now(), i.suppression_id "
                        + "FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], "
                        + "$11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::uuid[]) "
                        + "AS i(id, identity, kind, tool, rule_id, title, severity, location, refs, fingerprint, message, raw, "
                        + "suppression_id) "
                        + "ON CONFLICT (tenant_id, asset_id, identity) DO UPDATE SET "
                        + "state = CASE WHEN f.last_seen_run = $3 THEN f.state "
                        + "WHEN f.state = 'fixed' AND f.fixed_run = $3 THEN 'unchanged' "
                        + "WHEN f.state = 'fixed' THEN 'reopened' "
                        + "WHEN f.suppression_id IS NOT NULL AND EXCLUDED.suppression_id IS NULL THEN 'reopened' "
                        + "ELSE 'unchanged' END, "
                        + "tools = CASE WHEN EXCLUDED.tools[1] = ANY (f.tools) THEN f.tools ELSE f.tools || EXCLUDED.tools END, "
                        + "title = EXCLUDED.title, severity = EXCLUDED.severity, location = EXCLUDED.location, "
                        + "refs = ARRAY(SELECT DISTINCT unnest(f.refs || EXCLUDED.refs)), "
                        + "fingerprint = COALESCE(EXCLUDED.fingerprint, f.fingerprint), message = EXCLUDED.message, "
                        + "raw = EXCLUDED.raw, last_seen_run = $3, last_seen_at = now(), fixed_run = NULL, fixed_at = NULL, "
                        + "suppression_id = CASE WHEN f.last_seen_run = $3 THEN COALESCE(f.suppression_id, "
                        + "EXCLUDED.suppression_id) ELSE EXCLUDED.suppression_id END "
                        + "RETURNING f.id, f.state, f.severity, f.suppression_id")
                .execute(args)
                .chain(rows -> {
                    List<UUID> found = new ArrayList<>();
                    List<String> states = new ArrayList<>();
                    List<String> severities = new ArrayList<>();
                    List<Boolean> suppressed = new ArrayList<>();
                    rows.forEach(r -> {
                        found.add(r.getUUID("id"));
                        states.add(r.getString("state"));
                        severities.add(r.getString("severity"));
                        suppressed.add(r.getUUID("suppression_id") != null);
                    });
                    return tx.preparedQuery("INSERT INTO finding_observations (run_id, finding_id, step_run_id, tenant_id, "
                                    + "change, severity, suppressed) "
                                    + "SELECT $1, o.finding_id, $2, $3, o.change, o.severity, o.suppressed "
                                    + "FROM unnest($4::uuid[], $5::text[], $6::text[], $7::bool[]) "
                                    + "AS o(finding_id, change, severity, suppressed) ORDER BY o.finding_id "
                                    + "ON CONFLICT (run_id, finding_id) DO UPDATE SET change = EXCLUDED.change, "
                                    + "step_run_id = EXCLUDED.step_run_id, previous_state = NULL, "
                                    + "severity = EXCLUDED.severity, suppressed = EXCLUDED.suppressed, observed_at = now() "
                                    + "WHERE finding_observations.change = 'fixed'")
                            .execute(Tuple.from(Arrays.asList(scan.runId(), scan.stepRunId(), scan.tenantId(),
                                    found.toArray(UUID[]::new), states.toArray(String[]::new),
                                    severities.toArray(String[]::new), suppressed.toArray(Boolean[]::new))));
                })
                .replaceWithVoid();
    }

    /** How many findings a command's chunks held, and when the last of them was filed (null: none yet). */
    record Arrived(long findings, Instant lastAt) {
    }

    Uni<Arrived> arrived(SqlClient client, UUID commandId) {
        return client.preparedQuery("SELECT COALESCE(sum(findings), 0) AS n, max(received_at) AS last_at FROM finding_chunks "
                        + "WHERE command_id = $1")
                .execute(Tuple.of(commandId))
                .map(rows -> {
                    var r = rows.iterator().next();
                    return new Arrived(r.getLong("n"), dev.scanflow.common.PgValues.instant(r, "last_at"));
                });
    }

    /**
     * Fixes the asset's open findings of the step's tools and covered kinds that this run has not
     * seen, recording each as 'fixed' in the run with the state it had (for {@link #undoFixes}).
     */
    Uni<Integer> fix(SqlClient tx, ScanOfFindings scan, List<String> tools, List<String> kinds) {
        if (tools.isEmpty() || kinds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        // "not seen in this run": last seen by another run (most findings this run saw drop out
        // here, cheaply) and not among this run's observations (another run on the asset may have
        // seen it since this one did: last_seen_run names only the latest); rows locked in identity
        // order, the order chunks are filed in
        return tx.preparedQuery("WITH open AS (SELECT f.id, f.state FROM findings f WHERE f.tenant_id = $1 "
                        + "AND f.asset_id = $2 AND f.state <> 'fixed' AND f.tools && $5::text[] AND f.kind = ANY ($6) "
                        + "AND f.last_seen_run <> $3 "
                        + "AND NOT EXISTS (SELECT 1 FROM finding_observations o WHERE o.run_id = $3 AND o.finding_id = f.id) "
                        + "ORDER BY f.identity FOR UPDATE OF f), "
                        + "fixed AS (UPDATE findings f SET state = 'fixed', fixed_run = $3, fixed_at = now() FROM open "
                        + "WHERE f.id = open.id RETURNING f.id, open.state AS previous_state, f.severity, f.suppression_id) "
                        + "INSERT INTO finding_observations (run_id, finding_id, step_run_id, tenant_id, change, "
                        + "previous_state, severity, suppressed) "
                        + "SELECT $3, id, $4, $1, 'fixed', previous_state, severity, suppression_id IS NOT NULL FROM fixed "
                        + "ON CONFLICT (run_id, finding_id) DO NOTHING")
                .execute(Tuple.from(Arrays.asList(scan.tenantId(), scan.assetId(), scan.runId(), scan.stepRunId(),
                        tools.toArray(String[]::new), kinds.toArray(String[]::new))))
                .map(rows -> rows.rowCount());
    }

    /**
     * Puts back what a step's fixes changed (the engine did not complete the step with that
     * result); repeating it changes nothing. The findings are locked first, in identity order
     * (as chunks lock them), then their observations go.
     */
    Uni<Integer> undoFixes(SqlClient tx, ScanOfFindings scan) {
        return tx.preparedQuery("SELECT f.id FROM findings f JOIN finding_observations o ON o.finding_id = f.id "
                        + "WHERE o.run_id = $1 AND o.step_run_id = $2 AND o.change = 'fixed' ORDER BY f.identity FOR UPDATE OF f")
                .execute(Tuple.of(scan.runId(), scan.stepRunId()))
                .chain(locked -> tx.preparedQuery("WITH undone AS (DELETE FROM finding_observations WHERE run_id = $1 "
                                + "AND step_run_id = $2 AND change = 'fixed' RETURNING finding_id, previous_state) "
                                + "UPDATE findings f SET state = undone.previous_state, fixed_run = NULL, fixed_at = NULL "
                                + "FROM undone WHERE f.id = undone.finding_id AND f.fixed_run = $1")
                        .execute(Tuple.of(scan.runId(), scan.stepRunId())))
                .map(rows -> rows.rowCount());
    }

    /** The kinds of the findings this step reported in this run. */
    Uni<List<String>> reportedKinds(SqlClient client, ScanOfFindings scan) {
        return client.preparedQuery("SELECT DISTINCT f.kind FROM finding_observations o JOIN findings f ON f.id = o.finding_id "
                        + "WHERE o.run_id = $1 AND o.step_run_id = $2")
                .execute(Tuple.of(scan.runId(), scan.stepRunId()))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString("kind")));
                    return out;
                });
    }

    /** A step's new (or reopened) and fixed findings in its run, suppressed ones left out, by severity. */
    Uni<WorkerResult.FindingChanges> changes(SqlClient client, ScanOfFindings scan) {
        return client.preparedQuery("SELECT change = 'fixed' AS fixed, severity, count(*) AS n FROM finding_observations "
                        + "WHERE run_id = $1 AND step_run_id = $2 AND change IN ('new', 'reopened', 'fixed') "
                        + "AND NOT suppressed GROUP BY 1, 2")
                .execute(Tuple.of(scan.runId(), scan.stepRunId()))
                .map(rows -> {
                    Map<String, Object> fresh = new LinkedHashMap<>();
                    Map<String, Object> fixed = new LinkedHashMap<>();
                    Finding.SEVERITIES.forEach(s -> {
                        fresh.put(s, 0);
                        fixed.put(s, 0);
                    });
                    int[] totals = new int[2];
                    rows.forEach(r -> {
                        int n = r.getLong("n").intValue();
                        boolean isFixed = r.getBoolean("fixed");
                        (isFixed ? fixed : fresh).put(r.getString("severity"), n);
                        totals[isFixed ? 1 : 0] += n;
                    });
                    return new WorkerResult.FindingChanges(totals[0], fresh, totals[1], fixed);
                });
    }
}
