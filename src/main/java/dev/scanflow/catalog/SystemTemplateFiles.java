package dev.scanflow.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The system templates shipped in the service, one YAML file each under
 * {@code src/main/resources/system-templates/}. Listed here rather than found by scanning the
 * classpath, which a native image cannot do; a file added there must be added here (a test
 * checks that the two agree).
 */
public final class SystemTemplateFiles {

    public static final String DIRECTORY = "system-templates/";

    /** The slugs, which are the files' names without {@code .yaml}, in the order they are listed. */
    public static final List<String> SLUGS = List.of("full-security-scan", "container-security", "api-security",
            "infrastructure-scan", "continuous-monitoring");

    /** One shipped file: its slug, its bytes and their SHA-256 (hex). */
    public record File(String slug, byte[] content, String sha256) {
    }

    private SystemTemplateFiles() {
    }

    /** A system template's pipeline id: the same on every installation, derived from its file's name. */
    public static UUID pipelineId(String slug) {
        return UUID.nameUUIDFromBytes(("scanflow:system-template:" + slug).getBytes(StandardCharsets.UTF_8));
    }

    public static List<File> all() {
        return SLUGS.stream().map(SystemTemplateFiles::read).toList();
    }

    static File read(String slug) {
        String resource = DIRECTORY + slug + ".yaml";
        try (InputStream in = SystemTemplateFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("system template " + resource + " is not in the build");
            }
            byte[] content = in.readAllBytes();
            return new File(slug, content, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
