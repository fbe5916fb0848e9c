package dev.scanflow.agent;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which of a worker's tools runs a step. Scanflow prefers a worker with the step's tool but
 * only requires its capabilities, so a step can arrive whose tool this worker lacks: it then
 * runs the first configured tool that {@code provides} every capability the step asked for.
 * Entries limited to some asset types ({@code asset_types}) are only considered for those.
 */
final class ToolChoice {

    private ToolChoice() {
    }

    /** The entry made for fewer capabilities wins (nmap for network over nmap-vuln for dast+network); then file order. */
    private static boolean narrower(WorkerConfig.ToolConfig candidate, WorkerConfig.ToolConfig best) {
        return best == null || candidate.provides().size() < best.provides().size();
    }

    /**
     * In order: an entry that runs the wanted tool and provides the capabilities (the one made for
     * the fewest capabilities); an entry that
     * runs the wanted tool; an entry that provides the capabilities; the only entry, when the
     * step names no tool.
     *
     * @return the entry's key, or null when nothing here can run the step
     */
    static String choose(Map<String, WorkerConfig.ToolConfig> tools, String wanted, Collection<String> capabilities) {
        return choose(tools, wanted, capabilities, null);
    }

    /** As above, among the entries that scan this asset type ({@code asset_types}). */
    static String choose(Map<String, WorkerConfig.ToolConfig> all, String wanted, Collection<String> capabilities,
            String assetType) {
        Map<String, WorkerConfig.ToolConfig> tools = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (v.scans(assetType)) {
                tools.put(k, v);
            }
        });
        String sameTool = null;
        String sameToolProviding = null;
        String providing = null;
        for (Map.Entry<String, WorkerConfig.ToolConfig> e : tools.entrySet()) {
            String runs = e.getValue().tool() != null ? e.getValue().tool() : e.getKey();
            boolean provides = e.getValue().provides(capabilities);
            if (wanted != null && wanted.equals(runs)) {
                if (provides && narrower(e.getValue(), tools.get(sameToolProviding))) {
                    sameToolProviding = e.getKey();
                }
                if (sameTool == null) {
                    sameTool = e.getKey();
                }
            }
            if (provides && narrower(e.getValue(), tools.get(providing))) {
                providing = e.getKey();
            }
        }
        if (sameToolProviding != null) {
            return sameToolProviding;
        }
        if (sameTool != null) {
            return sameTool;
        }
        if (providing != null) {
            return providing;
        }
        if (wanted == null && tools.size() == 1) {
            return tools.keySet().iterator().next();
        }
        return null;
    }
}
