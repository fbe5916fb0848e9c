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
 * Lists become comma-separated. A {@code *} segment matches any key, the first that has the rest
 * ({@code {upstream.*.output.tls_port}}: whichever earlier step found one); {@code {a,b|c}} takes
 * the first of a and b that has a value, else c. A list placeholder
 * written with {@code []} repeats its argument once per element: {@code "--config={config.rules[]}"}
 * gives {@code --config=p/ci --config=p/secrets} (an empty list drops the argument). An argument
 * that is only {@code {config.flag?--option}} is {@code --option} when the value is true (or a
 * non-empty string or list) and is left out otherwise. {@code :name} makes a value that goes into
 * a path safe: {@code {config.wordlist:name|common}} takes only a plain name (no {@code /}, no
 * {@code ..}), so a template cannot point a tool at another file of the worker. Each argument stays one argument: nothing goes through a shell,
 * so a target name cannot inject options or commands.
 */
public final class ArgumentTemplate {

    private static final Pattern PLACEHOLDER = Pattern.compile(
            "\\{([a-z_][a-z0-9_.*]*(?:,[a-z_][a-z0-9_.*]*)*)(\\[])?(:name)?(?:\\?([^}]*)|\\|([^}]*))?}");
    /** What {@code :name} lets through: a file or list name, never a path. */
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$");

    private ArgumentTemplate() {
    }

    public static List<String> expand(List<String> template, Map<String, Object> variables) {
        List<String> out = new ArrayList<>();
        for (String arg : template) {
            Matcher m = PLACEHOLDER.matcher(arg);
            if (m.matches() && m.group(4) != null) {
                if (truthy(lookup(variables, m.group(1)))) {
                    out.add(m.group(4));
                }
                continue;
            }
            m.reset();
            List<String> repeated = null;
            while (m.find()) {
                if (m.group(4) != null) {
                    throw new IllegalArgumentException("'" + arg + "': a {value?option} placeholder must be the whole argument");
                }
                if (m.group(2) != null) {
                    if (repeated != null) {
                        throw new IllegalArgumentException("'" + arg + "' repeats two lists; one [] per argument");
                    }
                    Object value = lookup(variables, m.group(1));
                    List<String> items = new ArrayList<>();
                    if (value instanceof Collection<?> c) {
                        c.forEach(v -> items.add(String.valueOf(v)));
                    } else if (value != null && !(value instanceof String s && s.isEmpty())) {
                        items.add(String.valueOf(value));
                    } else if (m.group(5) != null) {
                        items.add(m.group(5));
                    }
                    repeated = items;
                }
            }
            if (repeated == null) {
                out.add(fill(arg, variables, null));
            } else {
                for (String item : repeated) {
                    out.add(fill(arg, variables, item));
                }
            }
        }
        return out;
    }

    private static boolean truthy(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (value instanceof Number n) {
            return n.doubleValue() != 0;
        }
        return value != null && !String.valueOf(value).isEmpty() && !"false".equals(String.valueOf(value));
    }

    /** The argument with its placeholders filled; {@code item} stands for the {@code []} placeholder. */
    private static String fill(String arg, Map<String, Object> variables, String item) {
        Matcher m = PLACEHOLDER.matcher(arg);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String text;
            if (m.group(2) != null) {
                text = item;
            } else {
                Object value = lookup(variables, m.group(1));
                if (value == null || (value instanceof String s && s.isEmpty())) {
                    if (m.group(5) == null) {
                        throw new IllegalArgumentException("the command needs {" + m.group(1) + "}, which this step does not give");
                    }
                    text = m.group(5);
                } else {
                    text = render(value);
                }
            }
            if (m.group(3) != null && !(NAME.matcher(text).matches() && !text.contains(".."))) {
                throw new IllegalArgumentException("{" + m.group(1) + "} must be a plain name (letters, digits, . _ -), not '"
                        + text + "'");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(text));
        }
        m.appendTail(sb);
        String expanded = sb.toString();
        if (expanded.startsWith("-") && !arg.startsWith("-")) {
            // a value that came from the command must not turn into an option
            throw new IllegalArgumentException("refusing argument '" + expanded + "': a value may not start with '-'");
        }
        return expanded;
    }

    /** The first of the comma-separated paths that has a value ({@code {upstream.*.output.tls_port,config.port|443}}). */
    static Object lookup(Map<String, Object> variables, String paths) {
        for (String path : paths.split(",")) {
            Object value = lookup(variables, path.split("\\."), 0);
            if (value != null && !(value instanceof String s && s.isEmpty())) {
                return value;
            }
        }
        return null;
    }

    private static Object lookup(Object current, String[] parts, int from) {
        for (int i = from; i < parts.length; i++) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            if (parts[i].equals("*")) {
                for (Object value : map.values()) {
                    Object found = lookup(value, parts, i + 1);
                    if (found != null) {
                        return found;
                    }
                }
                return null;
            }
            current = map.get(parts[i]);
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
