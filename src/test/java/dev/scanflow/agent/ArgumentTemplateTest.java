package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
