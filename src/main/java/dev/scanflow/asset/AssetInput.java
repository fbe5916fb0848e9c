package dev.scanflow.asset;

import java.util.List;
import java.util.Map;

/** An asset as a user sends it. */
public record AssetInput(String type, String name, String url, List<String> tags, String criticality,
        Map<String, Object> properties) {
}
