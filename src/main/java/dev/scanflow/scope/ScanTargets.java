package dev.scanflow.scope;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an active step would reach, as the scope guard checks it: the asset's URL host (its
 * name when it has no URL with a host, as the reference worker's {@code {target.host}}), and
 * every value under a {@code target}, {@code targets}, {@code url}, {@code urls}, {@code host}
 * or {@code hosts} key anywhere in the step's config (strings, lists of them, several in one
 * string separated by commas or spaces). A value with a placeholder ({@code {target.url}}) is
 * the worker's to fill from the asset, which is checked. Any other value that is not a URL, a
 * host (with a port or not), an address or a CIDR range cannot be checked, and is reported so
 * that the step is refused rather than scanned unchecked (nmap's {@code 10.0.0.1-50}, say).
 */
final class ScanTargets {

    static final Set<String> KEYS = Set.of("target", "targets", "url", "urls", "host", "hosts");

    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://");
    private static final Pattern SCP = Pattern.compile("^[^/@\\s]+@([^:/\\s]+):(.*)$");
    private static final Pattern HOST_PORT = Pattern.compile("^([^:/\\s\\[\\]]+):(\\d{1,5})$");
    private static final Pattern BRACKETED_PORT = Pattern.compile("^\\[([^\\]]+)\\](?::(\\d{1,5}))?$");
    private static final Pattern SEPARATORS = Pattern.compile("[\\s,]+");
    /** Config nesting followed at most this deep. */
    private static final int MAX_DEPTH = 16;

    /**
     * One thing a step reaches: a host name ({@code host}, with the {@code path} when it came as
     * a URL), or an address or range ({@code range}); {@code source} says where it came from.
     */
    record Target(String source, String host, IpRange range, String path) {

        String shown() {
            return host != null ? host : range.toString();
        }
    }

    /** The targets, and the values that cannot be checked (as "where: value"). */
    record Found(List<Target> targets, List<String> uncheckable) {
    }

    private ScanTargets() {
    }

    static Found of(Map<String, Object> asset, Map<String, Object> config) {
        List<Target> targets = new ArrayList<>();
        List<String> uncheckable = new ArrayList<>();
        Target fromAsset = null;
        Object url = asset == null ? null : asset.get("url");
        boolean urlHost = false;
        if (url instanceof String u && !u.isBlank()) {
            fromAsset = parse("the asset's url", u.trim());
            Matcher scheme = SCHEME.matcher(u.trim());
            urlHost = scheme.find() && u.trim().length() > scheme.end() && u.trim().charAt(scheme.end()) != '/';
            if (fromAsset == null && urlHost) {
                uncheckable.add("the asset's url: '" + u.trim() + "'");
            }
        }
        Object name = asset == null ? null : asset.get("name");
        if (fromAsset == null && !urlHost && name instanceof String n && !n.isBlank()) {
            fromAsset = parse("the asset's name", n.trim());
        }
        if (fromAsset != null) {
            targets.add(fromAsset);
        }
        walk(config, "config", false, 0, targets, uncheckable);
        return new Found(targets, uncheckable);
    }

    private static void walk(Object value, String path, boolean named, int depth, List<Target> targets,
            List<String> uncheckable) {
        if (depth > MAX_DEPTH) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                walk(e.getValue(), path + "." + key, KEYS.contains(key.toLowerCase(java.util.Locale.ROOT)), depth + 1,
                        targets, uncheckable);
            }
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", named, depth + 1, targets, uncheckable);
            }
        } else if (named && value instanceof String text) {
            for (String part : SEPARATORS.split(text.trim())) {
                if (part.isEmpty() || part.contains("{")) {
                    continue;
                }
                Target t = parse(path, part);
                if (t == null) {
                    uncheckable.add(path + ": '" + part + "'");
                } else {
                    targets.add(t);
                }
            }
        }
    }

    /** The target a text names, or null when it names none the guard can check. */
    static Target parse(String source, String text) {
        Matcher scheme = SCHEME.matcher(text);
        if (scheme.find()) {
            String rest = text.substring(scheme.end());
            int slash = rest.indexOf('/');
            String authority = slash < 0 ? rest : rest.substring(0, slash);
            String path = slash < 0 ? "" : rest.substring(slash);
            int query = path.indexOf('?');
            path = query < 0 ? path : path.substring(0, query);
            int fragment = path.indexOf('#');
            path = fragment < 0 ? path : path.substring(0, fragment);
            authority = authority.substring(authority.lastIndexOf('@') + 1);
            return hostTarget(source, stripPort(authority), path);
        }
        Matcher scp = SCP.matcher(text);
        if (scp.matches()) {
            return hostTarget(source, scp.group(1), scp.group(2));
        }
        if (IpRange.looksLikeOne(text)) {
            try {
                return new Target(source, null, IpRange.parse(text), null);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return hostTarget(source, stripPort(text), null);
    }

    private static String stripPort(String authority) {
        Matcher bracketed = BRACKETED_PORT.matcher(authority);
        if (bracketed.matches()) {
            return bracketed.group(1);
        }
        Matcher hostPort = HOST_PORT.matcher(authority);
        return hostPort.matches() ? hostPort.group(1) : authority;
    }

    private static Target hostTarget(String source, String host, String path) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        var literal = IpRange.literal(host);
        if (literal != null) {
            return new Target(source, null, IpRange.of(literal), path);
        }
        String name = HostNames.normalize(host);
        return HostNames.valid(name) ? new Target(source, name, null, path) : null;
    }
}
