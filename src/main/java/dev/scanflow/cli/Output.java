package dev.scanflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** How answers are printed: {@code --output table} (columns), {@code json} or {@code yaml} (the API's own shapes). */
final class Output {

    enum Format { table, json, yaml }

    private static final ObjectMapper YAML = new YAMLMapper();

    private Output() {
    }

    /** A column: its header and where its value is (a dotted path into each item). */
    record Column(String header, String path) {
    }

    static Column col(String header, String path) {
        return new Column(header, path);
    }

    static void print(PrintWriter out, Format format, JsonNode node, List<Column> columns) {
        switch (format) {
            case json -> out.println(node.toPrettyString());
            case yaml -> {
                try {
                    out.print(YAML.writeValueAsString(node));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
            case table -> table(out, node.has("items") ? node.get("items") : node, columns);
        }
        out.flush();
    }

    static void table(PrintWriter out, JsonNode items, List<Column> columns) {
        List<JsonNode> rows = new ArrayList<>();
        if (items.isArray()) {
            items.forEach(rows::add);
        } else {
            rows.add(items);
        }
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (JsonNode row : rows) {
            cells.add(columns.stream().map(c -> text(at(row, c.path()))).toArray(String[]::new));
        }
        int[] widths = new int[columns.size()];
        for (String[] r : cells) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format("%-" + widths[i] + "s  ", r[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static JsonNode at(JsonNode node, String path) {
        JsonNode n = node;
        for (String part : path.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n;
    }

    static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "-";
        }
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(x -> parts.add(x.isValueNode() ? x.asText() : x.toString()));
            return String.join(",", parts);
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }
}
