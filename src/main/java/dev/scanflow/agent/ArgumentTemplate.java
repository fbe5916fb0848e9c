package dev.scanflow.agent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Fills a tool's command line from a command: {@code {target.host}}, {@code {config.ports|1-1024}}
 * (a default after {@code |}), {@code {output_file}}, {@code {upstream.ports.output.open_ports}}.
 * Lists become comma-separated. Each argument stays one argument: nothing goes through a shell,
 * so a target name cannot inject options or commands.
 */
public final class ArgumentTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_][a-z0-9_.]*)(?:\\|([^}]*))?}");

    private ArgumentTemplate() {
    }

    public static List<String> expand(List<String> template, Map<String, Object> variables) {
        List<String> out = new ArrayList<>();
        for (String arg : template) {
            Matcher m = PLACEHOLDER.matcher(arg);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                Object value = lookup(variables, m.group(1));
                String text;
                if (value == null || (value instanceof String s && s.isEmpty())) {
                    if (m.group(2) == null) {
                        throw new IllegalArgumentException("the command needs {" + m.group(1) + "}, which this step does not give");
                    }
                    text = m.group(2);
                } else {
                    text = render(value);
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(text));
            }
            m.appendTail(sb);
            String expanded = sb.toString();
            if (expanded.startsWith("-") && !arg.startsWith("-")) {
                // a value that came from the command must not turn into an option
                throw new IllegalArgumentException("refusing argument '" + expanded + "': a value may not start with '-'");
            }
            out.add(expanded);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Object lookup(Map<String, Object> variables, String path) {
        Object current = variables;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = ((Map<String, Object>) map).get(part);
        }
        return current;
    }

    private static String render(Object value) {
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }
}
