package dev.scanflow.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapabilityCoverageTest {

    private static final List<CapabilityCoverage.Need> STEPS = List.of(
            new CapabilityCoverage.Need("port_scan", List.of("network"), "nmap"),
            new CapabilityCoverage.Need("vuln_scan", List.of("dast", "network"), "nuclei"),
            new CapabilityCoverage.Need("ssl_check", List.of("tls"), "testssl"));

    @Test
    void aStepIsCoveredWhenOneWorkerHasAllItsCapabilities() {
        var c = CapabilityCoverage.of(STEPS, List.of(
                new CapabilityCoverage.Offer(Set.of("network", "tls"), Set.of("nmap")),
                new CapabilityCoverage.Offer(Set.of("dast"), Set.of("nuclei"))));
        assertFalse(c.runnable());
        assertTrue(c.steps().get(0).covered());
        assertTrue(c.steps().get(0).preferredTool());
        // dast on one worker and network on another do not make one step
        assertFalse(c.steps().get(1).covered());
        assertEquals(List.of("dast"), c.steps().get(1).missingCapabilities());
        assertTrue(c.steps().get(2).covered());
        assertFalse(c.steps().get(2).preferredTool(), "no online worker has testssl itself");
        assertEquals(List.of("dast"), c.missingCapabilities());

        var all = CapabilityCoverage.of(STEPS, List.of(new CapabilityCoverage.Offer(Set.of("network", "tls", "dast"), Set.of())));
        assertTrue(all.runnable());
        assertEquals(List.of(), all.missingCapabilities());
    }

    @Test
    void withoutWorkersNothingIsCovered() {
        var c = CapabilityCoverage.of(STEPS, List.of());
        assertFalse(c.runnable());
        assertEquals(List.of("network", "dast", "tls"), c.missingCapabilities());
        assertTrue(c.steps().stream().noneMatch(CapabilityCoverage.StepCoverage::covered));
    }
}
