package dev.scanflow.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.domain.CapabilityCoverage;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.fleet.FleetService;
import dev.scanflow.pipeline.PipelineQueries;
import dev.scanflow.pipeline.PipelineView;
import dev.scanflow.pipeline.PipelineWriter;
import dev.scanflow.pipeline.definition.StepSpec;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.pipeline.definition.TemplateReader;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The system templates as tenants see them: listed with their coverage, read, and used. */
@ApplicationScoped
public class TemplateCatalog {

    private final PipelineQueries pipelines;
    private final PipelineWriter writer;
    private final FleetService fleet;
    private final TemplateReader reader;
    private final ObjectMapper mapper;

    public TemplateCatalog(PipelineQueries pipelines, PipelineWriter writer, FleetService fleet, TemplateReader reader,
            ObjectMapper mapper) {
        this.pipelines = pipelines;
        this.writer = writer;
        this.fleet = fleet;
        this.reader = reader;
        this.mapper = mapper;
    }

    /**
     * @param tags     keep templates with any of these tags (empty: all)
     * @param runnable keep only templates the tenant's online workers can (true) or cannot (false) run
     */
    public Uni<List<TemplateListing>> list(UUID tenant, Set<String> tags, Boolean runnable) {
        return fleet.onlineOffers(tenant).chain(offers -> pipelines.systemTemplates().map(templates -> {
            List<TemplateListing> out = new ArrayList<>();
            for (PipelineView t : templates) {
                if (!tags.isEmpty() && t.tags().stream().noneMatch(tags::contains)) {
                    continue;
                }
                TemplateListing listing = listing(t, offers);
                if (runnable == null || listing.coverage().runnable() == runnable) {
                    out.add(listing);
                }
            }
            return out;
        }));
    }

    /** A system template by pipeline id or slug: its latest version, or {@code version}. */
    public Uni<PipelineView> get(String idOrSlug, Integer version) {
        return pipelines.systemTemplate(idOf(idOrSlug), version).map(template -> {
            if (template == null) {
                throw version == null ? ApiException.notFound("system template " + idOrSlug)
                        : ApiException.notFound("version " + version + " of system template " + idOrSlug);
            }
            return template;
        });
    }

    private static UUID idOf(String idOrSlug) {
        try {
            return UUID.fromString(idOrSlug);
        } catch (IllegalArgumentException e) {
            return SystemTemplateFiles.pipelineId(idOrSlug);
        }
    }

    /**
     * The tenant's own pipeline from the template's latest version, with the request's overrides
     * (see {@link TemplateUse}), validated as any template; 409 when the name is taken.
     */
    public Uni<PipelineView> use(UUID tenant, String user, String idOrSlug, JsonNode request) {
        return get(idOrSlug, null).chain(template -> {
            TemplateDefinition current = new TemplateDefinition(template.name(), template.description(), template.tags(),
                    template.triggers(), template.steps(), template.settings());
            ObjectNode document = TemplateUse.apply(mapper.valueToTree(current), current, request);
            TemplateReader.Result result = reader.read(document);
            if (!result.valid()) {
                List<ValidationError> errors = result.errors();
                throw ApiException.invalid("The template with your overrides is invalid", errors);
            }
            return writer.createDerived(tenant, user, result.definition(), template.id(), template.version());
        });
    }

    static TemplateListing listing(PipelineView t, List<CapabilityCoverage.Offer> offers) {
        List<CapabilityCoverage.Need> needs = t.steps().stream()
                .map(s -> new CapabilityCoverage.Need(s.id(), s.capabilities(), s.tool())).toList();
        CapabilityCoverage.Coverage coverage = CapabilityCoverage.of(needs, offers);
        List<TemplateListing.Step> steps = new ArrayList<>();
        for (int i = 0; i < t.steps().size(); i++) {
            StepSpec s = t.steps().get(i);
            CapabilityCoverage.StepCoverage c = coverage.steps().get(i);
            steps.add(new TemplateListing.Step(s.id(), s.name(), s.tool(), s.capabilities(), c.covered(), c.preferredTool(),
                    c.missingCapabilities()));
        }
        int covered = (int) coverage.steps().stream().filter(CapabilityCoverage.StepCoverage::covered).count();
        return new TemplateListing(t.id(), t.slug(), t.name(), t.description(), t.version(), true, true, t.tags(),
                t.triggers(), steps, new TemplateListing.Coverage(coverage.runnable(), covered, steps.size(),
                        coverage.missingCapabilities()));
    }
}
