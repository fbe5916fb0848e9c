package dev.scanflow.agent;

import java.util.Collection;
import java.util.Map;

/**
 * Which of a worker's tools runs a step. Scanflow prefers a worker with the step's tool but
 * only requires its capabilities, so a step can arrive whose tool this worker lacks: it then
 * runs the first configured tool that {@code provides} every capability the step asked for.
 */
final class ToolChoice {

    private ToolChoice() {
    }

    /**
     * In order: an entry that runs the wanted tool and provides the capabilities; an entry that
     * runs the wanted tool; an entry that provides the capabilities; the only entry, when the
     * step names no tool.
     *
     * @return the entry's key, or null when nothing here can run the step
     */
    static String choose(Map<String, WorkerConfig.ToolConfig> tools, String wanted, Collection<String> capabilities) {
        String sameTool = null;
        for (Map.Entry<String, WorkerConfig.ToolConfig> e : tools.entrySet()) {
            String runs = e.getValue().tool() != null ? e.getValue().tool() : e.getKey();
            if (wanted != null && wanted.equals(runs)) {
                if (e.getValue().provides(capabilities)) {
                    return e.getKey();
                }
                if (sameTool == null) {
                    sameTool = e.getKey();
                }
            }
        }
        if (sameTool != null) {
            return sameTool;
        }
        for (Map.Entry<String, WorkerConfig.ToolConfig> e : tools.entrySet()) {
            if (e.getValue().provides(capabilities)) {
                return e.getKey();
            }
        }
        if (wanted == null && tools.size() == 1) {
            return tools.keySet().iterator().next();
        }
        return null;
    }
}
