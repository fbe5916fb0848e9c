package dev.scanflow.common;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature (standardwebhooks.com): base64 HMAC-SHA256 of
 * {@code id.timestamp.body} under the secret, which is {@code whsec_} + base64 key bytes. What
 * Scanflow checks on incoming webhooks and puts on the notifications it sends.
 */
public final class StandardWebhookSignature {

    private StandardWebhookSignature() {
    }

    /** The signature without the {@code v1,} prefix. */
    public static String sign(String secret, String id, long timestamp, byte[] body) {
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, data, 0, prefix.length);
        System.arraycopy(body, 0, data, prefix.length, body.length);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] key = key(secret);
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key bytes: base64 after {@code whsec_}, else the secret's own bytes. */
    public static byte[] key(String secret) {
        if (secret.startsWith("whsec_")) {
            try {
                return Base64.getDecoder().decode(secret.substring("whsec_".length()));
            } catch (IllegalArgumentException e) {
                // not base64: the bytes
            }
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }
}
