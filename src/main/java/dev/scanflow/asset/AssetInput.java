package dev.scanflow.asset;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * An asset as a user sends it. {@code credentials} names the scan credentials its scans use to
 * fetch it (a private repository's token, say): names only, never a secret.
 */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record AssetInput(String type, String name, String url, List<String> tags, String criticality,
        Map<String, Object> properties, List<String> credentials) {

    /** Without credentials (an announcement by a discovery tool: it names none). */
    public AssetInput(String type, String name, String url, List<String> tags, String criticality,
            Map<String, Object> properties) {
        this(type, name, url, tags, criticality, properties, null);
    }
}
