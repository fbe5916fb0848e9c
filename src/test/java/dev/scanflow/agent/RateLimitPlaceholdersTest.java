package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.ScanCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Protocol 2.3's {@code payload.limits} reaching the tools' command lines through
 * {@code {limits.*}}: the shipped worker configurations (examples/, k8s/) expanded for commands
 * with a rate, without one, and from a 2.2 server that only sets {@code step_config.rate_limit}.
 */
class RateLimitPlaceholdersTest {

    // never opened: the placeholders only name them
    private static final Path WORKDIR = Path.of(System.getProperty("java.io.tmpdir"), "scanflow-rate-test");
    private static final Path OUT = WORKDIR.resolve("result");
    private static final Map<String, String> ENV = Map.of("SCANFLOW_WORKER_ID", "w-test", "SCANFLOW_WORKER_NATS",
            "nats://127.0.0.1:4222");

    private static ScanCommand.Payload payload(Map<String, Object> stepConfig, ScanCommand.Limits limits) {
        ScanCommand.Target target = new ScanCommand.Target("a1", "web_application", "shop", "https://shop.example.com",
                List.of(), "high", Map.of(), null, null);
        return new ScanCommand.Payload("r1", "step", stepConfig, target, Map.of(), Map.of(), ScanCommand.Output.RIS,
                List.of(), List.of(), limits);
    }

    private static ScanCommand.Limits rate(Integer perSecond) {
        return new ScanCommand.Limits("shop.example.com", perSecond);
    }

    private static List<String> expand(String file, String entry, ScanCommand.Payload payload) throws IOException {
        WorkerConfig config = WorkerConfig.load(Path.of(file), ENV);
        Map<String, Object> vars = Placeholders.of(payload, config, OUT, WORKDIR, 600);
        vars.put("auth", Map.of());
        return ArgumentTemplate.expand(config.tools().get(entry).command(), vars);
    }

    @Test
    void theRateAndItsDelay() {
        assertEquals(Map.of("target", "shop.example.com", "requests_per_second", 50, "delay_seconds", "0.02"),
                Placeholders.limits(payload(Map.of("tool", "nmap", "rate_limit", 80), rate(50))));
        // the delay is rounded up to the millisecond ffuf counts in: never faster than the rate
        assertEquals("0.334", Placeholders.limits(payload(Map.of(), rate(3))).get("delay_seconds"));
        assertEquals("1", Placeholders.limits(payload(Map.of(), rate(1))).get("delay_seconds"));
        assertEquals("0.001", Placeholders.limits(payload(Map.of(), rate(5000))).get("delay_seconds"));
        // no rate: only the budget's key, so {limits.requests_per_second[]} drops its argument
        assertEquals(Map.of("target", "shop.example.com"), Placeholders.limits(payload(Map.of(), rate(null))));
        assertEquals(Map.of(), Placeholders.limits(payload(Map.of("tool", "nmap"), null)));
    }

    @Test
    void aProtocol22ServerSetsTheRateInTheStepConfigOnly() {
        assertEquals(30, Placeholders.limits(payload(Map.of("rate_limit", 30), null)).get("requests_per_second"));
        assertEquals(30, Placeholders.limits(payload(Map.of("rate_limit", "30"), null)).get("requests_per_second"));
        assertEquals(30, Placeholders.limits(payload(Map.of("rate_limit", 30.0), null)).get("requests_per_second"));
        // payload.limits wins over the config (the service puts the same rate in both)
        assertEquals(20, Placeholders.limits(payload(Map.of("rate_limit", 30), rate(20))).get("requests_per_second"));
        // what is not a whole rate of at least 1 sets none
        for (Object bad : List.of(0, -5, 0.5, "fast", "", true)) {
            assertFalse(Placeholders.limits(payload(Map.of("rate_limit", bad), null)).containsKey("requests_per_second"),
                    String.valueOf(bad));
        }
        Map<String, Object> nullRate = new HashMap<>();
        nullRate.put("rate_limit", null);
        assertEquals(Map.of(), Placeholders.limits(payload(nullRate, null)));
    }

    @Test
    void nmapGetsMaxRateOnlyWithARate() throws IOException {
        Map<String, Object> ports = Map.of("tool", "nmap", "ports", "22,443");
        assertEquals(List.of("nmap", "-Pn", "-n", "--max-rate=50", "-p", "22,443", "--script", "ssl-cert",
                "--script-timeout", "5s", "-oX", OUT.toString(), "shop.example.com"),
                expand("examples/worker-local.yaml", "nmap", payload(ports, rate(50))));
        assertEquals(List.of("nmap", "-Pn", "-n", "-p", "22,443", "--script", "ssl-cert",
                "--script-timeout", "5s", "-oX", OUT.toString(), "shop.example.com"),
                expand("examples/worker-local.yaml", "nmap", payload(ports, null)));
        for (String[] entry : new String[][] {{"examples/worker-local.yaml", "nmap-vuln"}, {"examples/worker.yaml", "nmap"},
                {"k8s/components/reference-worker/worker.yaml", "nmap"}}) {
            String where = entry[0] + " " + entry[1];
            assertTrue(expand(entry[0], entry[1], payload(ports, rate(50))).contains("--max-rate=50"), where);
            assertTrue(expand(entry[0], entry[1], payload(Map.of("rate_limit", 40), null)).contains("--max-rate=40"), where);
            assertTrue(expand(entry[0], entry[1], payload(ports, rate(null))).stream().noneMatch(a -> a.contains("max-rate")),
                    where);
        }
    }

    @Test
    void debiansFfufRunsOneThreadWithAPauseOnlyWithARate() throws IOException {
        for (String entry : List.of("ffuf", "ffuf-exposures")) {
            List<String> limited = expand("examples/worker-local.yaml", entry, payload(Map.of("tool", "ffuf"), rate(50)));
            // ffuf 1.1 has no -rate: the later -t counts, -p pauses each request's thread
            int threads = limited.indexOf("-t");
            assertEquals(List.of("-t", "10", "-t=1", "-p=0.02"), limited.subList(threads, threads + 4), entry);
            List<String> fallback = expand("examples/worker-local.yaml", entry, payload(Map.of("rate_limit", 4), null));
            assertTrue(fallback.containsAll(List.of("-t=1", "-p=0.25")), entry + " " + fallback);
            List<String> free = expand("examples/worker-local.yaml", entry, payload(Map.of("tool", "ffuf"), null));
            threads = free.indexOf("-t");
            assertEquals(List.of("-t", "10", "-timeout"), free.subList(threads, threads + 3), entry);
            assertTrue(free.stream().noneMatch(a -> a.startsWith("-p") || a.equals("-t=1")), entry + " " + free);
        }
    }

    @Test
    void nucleiAndFfuf2TakeTheRateElseTheirDefaults() throws IOException {
        String full = "examples/worker.yaml";
        for (String nuclei : List.of("nuclei", "nuclei-network")) {
            assertEquals("20", after("-rl", expand(full, nuclei, payload(Map.of("rate_limit", 30), rate(20)))));
            assertEquals("30", after("-rl", expand(full, nuclei, payload(Map.of("rate_limit", 30), null))));
            assertEquals("50", after("-rl", expand(full, nuclei, payload(Map.of("tool", "nuclei"), null))));
        }
        assertEquals("20", after("-rate", expand(full, "ffuf", payload(Map.of("rate_limit", 50), rate(20)))));
        // a 2.2 server: the step's own rate_limit (the Api Security template's ffuf step says 50)
        assertEquals("40", after("-rate", expand(full, "ffuf", payload(Map.of("rate_limit", 40), null))));
        assertEquals("50", after("-rate", expand(full, "ffuf", payload(Map.of(), null))));
    }

    private static String after(String option, List<String> args) {
        return args.get(args.indexOf(option) + 1);
    }
}
