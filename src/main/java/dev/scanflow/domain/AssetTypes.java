package dev.scanflow.domain;

import java.util.List;

/** The asset types Scanflow knows; templates' asset_type conditions are checked against them. */
public final class AssetTypes {

    public static final List<String> ALL = List.of(
            "repository", "domain", "ip_address", "web_application", "server", "network",
            "container_image", "api", "cloud_account", "mobile_application", "host");

    public static final List<String> CRITICALITIES = List.of("critical", "high", "medium", "low");

    private AssetTypes() {
    }

    public static boolean isKnown(String type) {
        return ALL.contains(type);
    }
}
