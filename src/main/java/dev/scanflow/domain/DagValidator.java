package dev.scanflow.domain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the dependency graph of a pipeline: unknown dependencies first, then cycles, with
 * messages that name the steps ({@code dependency cycle: sast -> dast -> sast}).
 */
public final class DagValidator {

    /** A step as the graph sees it: its key, its position in the document, what it waits for. */
    public record Node(String id, int index, List<String> dependsOn) {
    }

    private DagValidator() {
    }

    public static List<ValidationError> validate(List<Node> nodes) {
        return validate(nodes, Set.of());
    }

    /**
     * @param reported ids written in the document but unusable (invalid, or duplicates): they
     *                 are errors already, so a dependency on one is not reported again as unknown
     */
    public static List<ValidationError> validate(List<Node> nodes, Set<String> reported) {
        List<ValidationError> errors = new ArrayList<>();
        Map<String, Node> byId = new LinkedHashMap<>();
        for (Node node : nodes) {
            byId.putIfAbsent(node.id(), node);
        }
        for (Node node : nodes) {
            for (int j = 0; j < node.dependsOn().size(); j++) {
                String dep = node.dependsOn().get(j);
                if (!byId.containsKey(dep) && !reported.contains(dep)) {
                    errors.add(ValidationError.at("$.steps[" + node.index() + "].depends_on[" + j + "]",
                            "depends on unknown step '" + dep + "'"));
                }
            }
        }
        findCycle(byId).ifPresent(cycle -> {
            Node first = byId.get(cycle.get(0));
            errors.add(ValidationError.at("$.steps[" + first.index() + "].depends_on",
                    "dependency cycle: " + String.join(" -> ", cycle)));
        });
        return errors;
    }

    /** Every step the given step transitively waits for. Unknown ids are ignored. */
    public static Set<String> upstreamOf(String id, Map<String, List<String>> dependsOn) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(dependsOn.getOrDefault(id, List.of()));
        while (!todo.isEmpty()) {
            String next = todo.pop();
            if (seen.add(next)) {
                todo.addAll(dependsOn.getOrDefault(next, List.of()));
            }
        }
        return seen;
    }

    private static java.util.Optional<List<String>> findCycle(Map<String, Node> byId) {
        // Iterative DFS with colours; on a back edge the cycle is read off the current path.
        Map<String, Integer> colour = new HashMap<>();
        for (String start : byId.keySet()) {
            if (colour.containsKey(start)) {
                continue;
            }
            List<String> path = new ArrayList<>();
            Deque<java.util.Iterator<String>> stack = new ArrayDeque<>();
            colour.put(start, 1);
            path.add(start);
            stack.push(byId.get(start).dependsOn().iterator());
            while (!stack.isEmpty()) {
                java.util.Iterator<String> it = stack.peek();
                if (!it.hasNext()) {
                    stack.pop();
                    colour.put(path.remove(path.size() - 1), 2);
                    continue;
                }
                String dep = it.next();
                if (!byId.containsKey(dep)) {
                    continue;
                }
                Integer c = colour.get(dep);
                if (c == null) {
                    colour.put(dep, 1);
                    path.add(dep);
                    stack.push(byId.get(dep).dependsOn().iterator());
                } else if (c == 1) {
                    // path: start ... dep ... current; edges go from a step to what it depends on,
                    // so print in execution order (dependency first).
                    List<String> cycle = new ArrayList<>(path.subList(path.indexOf(dep), path.size()));
                    java.util.Collections.reverse(cycle);
                    cycle.add(cycle.get(0));
                    return java.util.Optional.of(cycle);
                }
            }
        }
        return java.util.Optional.empty();
    }
}
