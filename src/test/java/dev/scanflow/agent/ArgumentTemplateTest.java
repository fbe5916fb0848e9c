package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgumentTemplateTest {

    private static final Map<String, Object> VARS = Map.of(
            "target", Map.of("host", "10.0.0.5", "name", "db-1"),
            "config", Map.of("ports", List.of(22, 443), "mode", "fast"),
            "upstream", Map.of("ports", Map.of("output", Map.of("open_ports", List.of(443, 8443)))),
            "output_file", "/tmp/x/result");

    @Test
    void fillsPlaceholdersDefaultsAndLists() {
        assertEquals(List.of("nmap", "-p", "22,443", "-oX", "/tmp/x/result", "10.0.0.5"),
                ArgumentTemplate.expand(List.of("nmap", "-p", "{config.ports}", "-oX", "{output_file}", "{target.host}"), VARS));
        assertEquals(List.of("--timing=T4", "443,8443", "--mode=fast"),
                ArgumentTemplate.expand(List.of("--timing={config.timing|T4}", "{upstream.ports.output.open_ports}",
                        "--mode={config.mode}"), VARS));
    }

    @Test
    void aMissingValueWithoutDefaultIsAnError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ArgumentTemplate.expand(List.of("{target.url}"), VARS));
        assertEquals("the command needs {target.url}, which this step does not give", e.getMessage());
    }

    @Test
    void aValueCannotBecomeAnOption() {
        Map<String, Object> evil = Map.of("target", Map.of("host", "--script=evil"));
        assertThrows(IllegalArgumentException.class, () -> ArgumentTemplate.expand(List.of("{target.host}"), evil));
        // a template that is itself an option may carry a value
        assertEquals(List.of("-p--x"), ArgumentTemplate.expand(List.of("-p{target.host}"), Map.of("target", Map.of("host", "--x"))));
    }

    @Test
    void shellCharactersStayInsideOneArgument() {
        Map<String, Object> vars = Map.of("target", Map.of("host", "a.com; rm -rf / #"));
        assertEquals(List.of("a.com; rm -rf / #"), ArgumentTemplate.expand(List.of("{target.host}"), vars));
    }

    @Test
    void listsRepeatFlagsConditionalsAndAlternatives() {
        Map<String, Object> vars = Map.of(
                "config", Map.of("rules", List.of("p/ci", "p/secrets"), "redact", true, "history", false, "wordlist", "api-common"),
                "upstream", Map.of("port_scan", Map.of("output", Map.of("tls_port", 8443)), "other", Map.of("output", Map.of())));
        assertEquals(List.of("semgrep", "--config=p/ci", "--config=p/secrets", "--redact"),
                ArgumentTemplate.expand(List.of("semgrep", "--config={config.rules[]}", "{config.redact?--redact}",
                        "{config.history?--log-opts=--all}"), vars));
        assertEquals(List.of("--config=p/default"), ArgumentTemplate.expand(List.of("--config={config.none[]|p/default}"), vars));
        assertEquals(List.of(), ArgumentTemplate.expand(List.of("--config={config.none[]}"), vars));
        // {upstream.*...}: whichever earlier step has it; {a,b|c}: the first with a value
        assertEquals(List.of("h:8443", "h:443", "h:99"), ArgumentTemplate.expand(List.of("h:{upstream.*.output.tls_port}",
                "h:{upstream.*.output.nothing,config.port|443}", "h:{config.port,upstream.x.y|99}"), vars));
        assertEquals(List.of("/w/api-common.txt"), ArgumentTemplate.expand(List.of("/w/{config.wordlist:name}.txt"), vars));
    }

    @Test
    void aNameCannotBeAPath() {
        for (String evil : List.of("../../etc/passwd", "/etc/passwd", "a/b", "..", "")) {
            Map<String, Object> vars = Map.of("config", Map.of("wordlist", evil));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ArgumentTemplate.expand(List.of("/w/{config.wordlist:name|x..y}.txt"), vars), evil);
            assertTrue(e.getMessage().contains("plain name"), e.getMessage());
        }
    }
}
