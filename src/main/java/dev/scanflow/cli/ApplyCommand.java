package dev.scanflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code scanflow apply}: templates and assets from files. */
final class ApplyCommand {

    private ApplyCommand() {
    }

    @Command(name = "apply", description = "Create or update templates and assets from files (idempotent: "
            + "an unchanged file changes nothing). In a directory, files that are neither (worker configurations) "
            + "are skipped")
    static final class Apply extends CommandBase {
        @Option(names = {"-f", "--file"}, required = true, description = "a YAML or JSON file, or a directory of them")
        Path file;

        @Override
        public Integer call() throws IOException {
            boolean directory = Files.isDirectory(file);
            List<Path> files = new ArrayList<>();
            if (directory) {
                try (Stream<Path> s = Files.list(file)) {
                    s.filter(p -> p.toString().matches(".*\\.(ya?ml|json)$")).sorted().forEach(files::add);
                }
            } else {
                files.add(file);
            }
            if (files.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no .yaml, .yml or .json file in " + file);
            }
            for (Path f : files) {
                JsonNode doc = read(f);
                String kind = kind(doc);
                if (kind == null) {
                    String why = f + ": not a pipeline template (no steps) or an asset (no type)";
                    if (!directory) {
                        throw new CommandLine.ParameterException(spec.commandLine(), why);
                    }
                    out().println("skipped " + why);
                    continue;
                }
                boolean pipeline = kind.equals("pipeline");
                String json = Api.JSON.writeValueAsString(doc);
                Api.Answer a;
                try {
                    a = api().send("PUT", pipeline ? "/api/v1/pipelines:apply" : "/api/v1/assets:apply",
                            json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
                } catch (Api.Failure e) {
                    throw e.about(f.toString());
                }
                out().println(kind + " " + a.body().path("name").asText() + ": "
                        + a.header("Scanflow-Apply") + (pipeline ? " (version " + a.body().path("version").asText() + ")" : "")
                        + "  " + a.body().path("id").asText() + "  [" + f.getFileName() + "]");
            }
            out().flush();
            return 0;
        }

        private JsonNode read(Path f) {
            try {
                return new YAMLMapper().readTree(Files.readAllBytes(f));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        f + ": not YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
        }

        /** "pipeline" (a document with steps), "asset" (one with a type), or null: not a Scanflow document. */
        private static String kind(JsonNode doc) {
            if (doc == null || !doc.isObject()) {
                return null;
            }
            return doc.has("steps") ? "pipeline" : doc.has("type") ? "asset" : null;
        }
    }
}
