package dev.scanflow.common;

import dev.scanflow.config.ScanflowConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets Scanflow must read back (a webhook secret, to check a signature) are stored encrypted
 * with AES-256-GCM under {@code scanflow.secrets.key}; each sealed value is a fresh 12-byte IV
 * followed by the ciphertext and tag. Without a key, sealing is refused with a 503 naming the
 * setting (the operator must configure one; a WARN says so at start-up), so nothing secret is
 * ever stored in the clear.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup // a malformed key stops the start, instead of failing the first webhook
public class SecretBox {

    static final String MISSING_KEY = "this Scanflow has no secrets key, so it cannot store notification channel "
            + "or webhook secrets, or scan credentials: set SCANFLOW_SECRETS_KEY (scanflow.secrets.key) to 32 random bytes, base64 "
            + "(openssl rand -base64 32), the same on every replica, and restart";

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(SecretBox.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int IV_BYTES = 12;

    private final SecretKeySpec key;

    @jakarta.inject.Inject
    public SecretBox(ScanflowConfig config) {
        this(config.secrets().key().orElse(null));
        if (key == null) {
            LOG.warn(MISSING_KEY);
        }
    }

    public SecretBox(String base64Key) {
        if (base64Key == null || base64Key.isBlank()) {
            this.key = null;
            return;
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            raw = new byte[0];
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("scanflow.secrets.key must be 32 bytes, base64 (openssl rand -base64 32)");
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    public boolean configured() {
        return key != null;
    }

    public byte[] seal(String secret) {
        if (key == null) {
            throw ApiException.notConfigured(MISSING_KEY);
        }
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not encrypt a secret", e);
        }
    }

    /** The secret; null when there is no key or the value was sealed under another one. */
    public String open(byte[] sealed) {
        if (key == null || sealed == null || sealed.length <= IV_BYTES) {
            return null;
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, IV_BYTES));
            return new String(cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }
}
