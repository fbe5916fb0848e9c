package dev.scanflow.webhook;

import dev.scanflow.common.StandardWebhookSignature;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who signed a delivery, told by its headers, checked against the pipeline's valid secrets
 * (the current one, and the previous one during its grace period), always in constant time:
 * <ul>
 * <li>GitHub: {@code X-Hub-Signature-256: sha256=<hex>}, HMAC-SHA256 of the raw body keyed with
 * the secret as written; event {@code X-GitHub-Event}, delivery {@code X-GitHub-Delivery};</li>
 * <li>GitLab: {@code X-Gitlab-Token}, the secret itself; event {@code X-Gitlab-Event}
 * ({@code Push Hook} is {@code push}), delivery {@code X-Gitlab-Event-UUID};</li>
 * <li>Standard Webhooks: {@code webhook-id}, {@code webhook-timestamp} (seconds, within the
 * tolerance of now), {@code webhook-signature} (space-separated {@code v1,<base64>}, any may
 * match), HMAC-SHA256 of {@code id.timestamp.body} keyed with the base64 part of the
 * {@code whsec_} secret; event the body's {@code type}.</li>
 * </ul>
 * Plain Java (JDK crypto only).
 */
public final class WebhookSignatures {

    public static final String GITHUB = "github";
    public static final String GITLAB = "gitlab";
    public static final String STANDARD = "standard-webhooks";

    private static final Pattern GITHUB_SIGNATURE = Pattern.compile("^sha256=[0-9a-fA-F]{64}$");
    private static final Pattern DELIVERY = Pattern.compile("^[\\x21-\\x7E]{1,200}$");

    private WebhookSignatures() {
    }

    /** A delivery's headers were malformed (400) or did not authenticate it (401). */
    public static final class Refused extends Exception {
        private final int status;
        private final String header;

        Refused(int status, String header, String message) {
            super(message);
            this.status = status;
            this.header = header;
        }

        public int status() {
            return status;
        }

        /** The header at fault, or null. */
        public String header() {
            return header;
        }
    }

    /** Who signed: the scheme, the event (null for Standard Webhooks: it is in the body) and the delivery id. */
    public record Verified(String scheme, String event, String deliveryId) {
    }

    /**
     * Checks a delivery. {@code headers} looks a header up case-insensitively (null when
     * absent); {@code secrets} are the valid secrets, newest first (empty: fail closed).
     */
    public static Verified verify(Function<String, String> headers, byte[] body, List<String> secrets, Instant now,
            Duration tolerance) throws Refused {
        String github = headers.apply("X-Hub-Signature-256");
        String gitlab = headers.apply("X-Gitlab-Token");
        String swId = headers.apply("webhook-id");
        String swTimestamp = headers.apply("webhook-timestamp");
        String swSignature = headers.apply("webhook-signature");
        if (github != null) {
            return github(github, headers, body, secrets);
        }
        if (gitlab != null) {
            return gitlab(gitlab, headers, secrets);
        }
        if (swId != null || swTimestamp != null || swSignature != null) {
            return standard(swId, swTimestamp, swSignature, body, secrets, now, tolerance);
        }
        if (headers.apply("X-Hub-Signature") != null) {
            throw new Refused(401, "X-Hub-Signature", "GitHub's SHA-1 signature is not accepted: send X-Hub-Signature-256");
        }
        throw new Refused(401, null, "the delivery is not signed: send X-Hub-Signature-256 (GitHub), X-Gitlab-Token "
                + "(GitLab) or webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)");
    }

    private static Verified github(String signature, Function<String, String> headers, byte[] body, List<String> secrets)
            throws Refused {
        if (!GITHUB_SIGNATURE.matcher(signature.trim()).matches()) {
            throw new Refused(400, "X-Hub-Signature-256", "X-Hub-Signature-256 must be sha256=<64 hex digits>");
        }
        String event = required(headers, "X-GitHub-Event");
        byte[] given = HexFormat.of().parseHex(signature.trim().substring("sha256=".length()));
        boolean ok = false;
        for (String secret : secrets) {
            ok |= MessageDigest.isEqual(hmac(secret.getBytes(StandardCharsets.UTF_8), body), given);
        }
        if (!ok) {
            throw new Refused(401, "X-Hub-Signature-256", "X-Hub-Signature-256 does not match the body signed with "
                    + "this pipeline's webhook secret");
        }
        return new Verified(GITHUB, event.trim().toLowerCase(Locale.ROOT), delivery(headers, "X-GitHub-Delivery"));
    }

    private static Verified gitlab(String token, Function<String, String> headers, List<String> secrets) throws Refused {
        String event = required(headers, "X-Gitlab-Event");
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String secret : secrets) {
            // compare digests, so the comparison takes the same time whatever the lengths
            ok |= MessageDigest.isEqual(sha256(secret.getBytes(StandardCharsets.UTF_8)), sha256(given));
        }
        if (!ok) {
            throw new Refused(401, "X-Gitlab-Token", "X-Gitlab-Token is not this pipeline's webhook secret");
        }
        return new Verified(GITLAB, gitlabEvent(event), delivery(headers, "X-Gitlab-Event-UUID"));
    }

    /** {@code Push Hook} → push, {@code Tag Push Hook} → tag_push, {@code Merge Request Hook} → merge_request. */
    static String gitlabEvent(String header) {
        String e = header.trim().toLowerCase(Locale.ROOT);
        if (e.endsWith(" hook")) {
            e = e.substring(0, e.length() - " hook".length());
        }
        return e.replace(' ', '_');
    }

    private static Verified standard(String id, String timestamp, String signature, byte[] body, List<String> secrets,
            Instant now, Duration tolerance) throws Refused {
        if (id == null || !DELIVERY.matcher(id).matches()) {
            throw new Refused(400, "webhook-id", "webhook-id is required: 1 to 200 visible ASCII characters");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp == null ? "" : timestamp.trim());
        } catch (NumberFormatException e) {
            throw new Refused(400, "webhook-timestamp", "webhook-timestamp must be Unix seconds");
        }
        if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
            throw new Refused(401, "webhook-timestamp", "webhook-timestamp is more than " + tolerance.toSeconds()
                    + " s from now (" + now.getEpochSecond() + "): a stale or future delivery is refused");
        }
        List<byte[]> given = new ArrayList<>();
        for (String part : (signature == null ? "" : signature.trim()).split(" +")) {
            int comma = part.indexOf(',');
            if (comma > 0 && part.substring(0, comma).equals("v1")) {
                try {
                    given.add(Base64.getDecoder().decode(part.substring(comma + 1)));
                } catch (IllegalArgumentException e) {
                    // another scheme's or a damaged signature: the others may still match
                }
            }
        }
        if (given.isEmpty()) {
            throw new Refused(400, "webhook-signature", "webhook-signature must hold at least one v1,<base64> signature");
        }
        byte[] signed = concat((id + "." + seconds + ".").getBytes(StandardCharsets.UTF_8), body);
        boolean ok = false;
        for (String secret : secrets) {
            byte[] expected = hmac(StandardWebhookSignature.key(secret), signed);
            for (byte[] g : given) {
                ok |= MessageDigest.isEqual(expected, g);
            }
        }
        if (!ok) {
            throw new Refused(401, "webhook-signature", "no signature in webhook-signature matches this pipeline's "
                    + "webhook secret");
        }
        return new Verified(STANDARD, null, id);
    }

    /** The Standard Webhooks signature of a body (what a sender puts in webhook-signature, without "v1,"). */
    public static String standardSignature(String secret, String id, long timestamp, byte[] body) {
        return StandardWebhookSignature.sign(secret, id, timestamp, body);
    }

    /** GitHub's signature of a body, as X-Hub-Signature-256 carries it. */
    public static String githubSignature(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    private static String required(Function<String, String> headers, String name) throws Refused {
        String value = headers.apply(name);
        if (value == null || value.isBlank()) {
            throw new Refused(400, name, name + " is required");
        }
        return value;
    }

    private static String delivery(Function<String, String> headers, String name) throws Refused {
        String value = headers.apply(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (!DELIVERY.matcher(value).matches()) {
            throw new Refused(400, name, name + " must be 1 to 200 visible ASCII characters");
        }
        return value;
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Headers from a map, case-insensitively (tests, plain callers). */
    public static Function<String, String> headers(Map<String, String> map) {
        Map<String, String> lower = new java.util.HashMap<>();
        map.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        return name -> lower.get(name.toLowerCase(Locale.ROOT));
    }
}
