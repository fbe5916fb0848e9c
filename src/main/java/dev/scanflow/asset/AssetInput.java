package dev.scanflow.asset;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** An asset as a user sends it. */
@RegisterForReflection // read and written by Jackson outside REST (JSON columns, YAML, bound bodies)
public record AssetInput(String type, String name, String url, List<String> tags, String criticality,
        Map<String, Object> properties) {
}
