package dev.scanflow.agent;

import dev.scanflow.protocol.CredentialReply.Credential;
import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces the credential values a command holds by {@code [REDACTED:<name>]} in what the worker
 * sends (log lines, error messages, result outputs, findings): each value as it is, URL-encoded
 * (form and {@code %20}, upper- and lower-case hex), JSON-escaped, and base64 (standard and URL-safe, with
 * and without padding), also where the value's base64 sits inside a longer base64 text (an
 * {@code Authorization: Basic} of any user); for a basic-auth or git credential the
 * {@code user:password} pair's base64 as a whole; for a multi-line value (an SSH key) each of its
 * lines, since logs come one line at a time.
 */
final class Redactor {

    static final Redactor NONE = new Redactor(Map.of());

    /** Shorter pieces of a value's base64 inside a longer text would match unrelated text. */
    private static final int MIN_FRAGMENT = 8;
    /** Lines of a multi-line value shorter than this (a PEM's last line, its END marker) are left alone. */
    private static final int MIN_LINE = 16;
    private static final String GIT_DEFAULT_USER = "x-access-token";

    private final Pattern pattern;
    private final Map<String, String> nameOf;

    private Redactor(Map<String, String> nameOf) {
        this.nameOf = nameOf;
        // longest first: at one position the whole encoding wins over a fragment of it
        this.pattern = nameOf.isEmpty() ? null : Pattern.compile(nameOf.keySet().stream()
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .map(Pattern::quote).reduce((a, b) -> a + "|" + b).orElseThrow());
    }

    static Redactor of(Collection<Credential> credentials) {
        Map<String, String> nameOf = new LinkedHashMap<>();
        for (Credential c : credentials) {
            for (String secret : secrets(c)) {
                for (String variant : variants(secret)) {
                    nameOf.putIfAbsent(variant, c.name());
                }
            }
        }
        return new Redactor(nameOf);
    }

    String redact(String text) {
        if (pattern == null || text == null || text.isEmpty()) {
            return text;
        }
        Matcher m = pattern.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement("[REDACTED:" + nameOf.get(m.group()) + "]"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A result's output with every string in it redacted (keys too). */
    Map<String, Object> redact(Map<String, Object> output) {
        if (pattern == null || output == null) {
            return output;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        output.forEach((k, v) -> out.put(redact(k), redactValue(v)));
        return out;
    }

    /** A finding with every text in it redacted: a tool may quote a value it was given (a URL, a header, a snippet). */
    Finding redact(Finding f) {
        if (pattern == null || f == null) {
            return f;
        }
        Location l = f.location();
        Location location = l == null ? null : new Location(redact(l.file()), l.startLine(), l.endLine(),
                redact(l.snippet()), redact(l.packageName()), redact(l.version()), redact(l.purl()), redact(l.host()),
                l.port(), redact(l.protocol()), redact(l.url()), redact(l.method()), redact(l.parameter()));
        return new Finding(redact(f.tool()), redact(f.ruleId()), redact(f.title()), f.severity(), f.kind(), location,
                f.references() == null ? null : f.references().stream().map(this::redact).toList(),
                redact(f.fingerprint()), redact(f.message()), redact(f.raw()));
    }

    @SuppressWarnings("unchecked")
    private Object redactValue(Object value) {
        if (value instanceof String s) {
            return redact(s);
        }
        if (value instanceof Map<?, ?> map) {
            return redact((Map<String, Object>) map);
        }
        if (value instanceof Collection<?> list) {
            return list.stream().map(this::redactValue).toList();
        }
        return value;
    }

    /** What of a credential is secret: its value, and the user:password pair a basic-auth header encodes. */
    private static List<String> secrets(Credential c) {
        List<String> secrets = new ArrayList<>();
        String value = c.value();
        if (value == null || value.isEmpty()) {
            return secrets;
        }
        secrets.add(value);
        if (!value.strip().equals(value) && !value.strip().isEmpty()) {
            secrets.add(value.strip());
        }
        if (value.contains("\n")) {
            value.lines().map(String::strip).filter(l -> l.length() >= MIN_LINE && !l.startsWith("-----"))
                    .forEach(secrets::add);
        }
        String user = c.username();
        if ("git_token".equals(c.kind()) && (user == null || user.isBlank())) {
            user = GIT_DEFAULT_USER;
        }
        if (user != null && !user.isBlank()) {
            secrets.add(user + ":" + value);
        }
        return secrets;
    }

    private static List<String> variants(String secret) {
        List<String> variants = new ArrayList<>();
        variants.add(secret);
        String form = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        variants.add(form);
        variants.add(form.replace("+", "%20"));
        variants.add(lowerHex(form));
        variants.add(lowerHex(form.replace("+", "%20")));
        variants.add(json(secret));
        variants.add(json(secret).replace("/", "\\/"));
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        for (Base64.Encoder encoder : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
            String padded = encoder.encodeToString(bytes);
            variants.add(padded);
            variants.add(padded.replace("=", ""));
            // the value's base64 after 0, 1 or 2 other bytes: the characters only its bytes decide
            for (int offset = 0; offset < 3; offset++) {
                byte[] shifted = new byte[offset + bytes.length];
                System.arraycopy(bytes, 0, shifted, offset, bytes.length);
                String encoded = encoder.encodeToString(shifted);
                int from = offset == 0 ? 0 : 4;
                int to = 4 * (shifted.length / 3);
                if (to - from >= MIN_FRAGMENT) {
                    variants.add(encoded.substring(from, to));
                }
            }
        }
        return variants.stream().filter(v -> !v.isEmpty()).distinct().toList();
    }

    private static String lowerHex(String encoded) {
        Matcher m = Pattern.compile("%[0-9A-F]{2}").matcher(encoded);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, m.group().toLowerCase(Locale.ROOT));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String json(String s) {
        StringBuilder out = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(ch < 0x20 ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
            }
        }
        return out.toString();
    }
}
