package dev.scanflow.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.common.ApiException;
import dev.scanflow.common.CredentialNames;
import dev.scanflow.common.NameRules;
import dev.scanflow.domain.StepAuth;
import dev.scanflow.domain.ValidationError;
import dev.scanflow.pipeline.definition.TemplateDefinition;
import dev.scanflow.pipeline.definition.TemplateReader;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Template documents as a tenant sends them (or as an edit leaves them), read into a definition
 * or refused with every error at once. The notification channel names a template uses are
 * checked here, through {@link ChannelNames}, and the scan credentials its steps name
 * ({@code config.auth.credential}) through {@link CredentialNames}; nowhere else.
 */
@ApplicationScoped
public class PipelineBodies {

    private static final String INVALID = "Invalid pipeline template";

    private final TemplateReader reader;
    private final ChannelNames channels;
    private final CredentialNames credentials;

    public PipelineBodies(TemplateReader reader, ChannelNames channels, CredentialNames credentials) {
        this.reader = reader;
        this.channels = channels;
        this.credentials = credentials;
    }

    /**
     * Reads a template body: every error at once, or the normalized definition. The read-only
     * fields the design document's example and the API's own answers carry are accepted, except
     * a {@code tenant_id} of another tenant or (for {@code expectedId}) an {@code id} of another
     * pipeline, which would say the body is meant for something else. Channel and credential
     * names are looked up even when other parts are wrong, so that their errors come in the same
     * answer.
     */
    public Uni<TemplateDefinition> read(JsonNode body, UUID tenant, UUID expectedId) {
        TemplateReader.Result result = reader.read(body);
        List<ValidationError> errors = new ArrayList<>(result.errors());
        JsonNode tenantId = result.readOnly().get("tenant_id");
        if (tenantId != null && !tenantId.asText().equals(tenant.toString()) && isUuid(tenantId)) {
            errors.add(ValidationError.at("$.tenant_id", "is another tenant's id: the tenant comes from your token; "
                    + "leave tenant_id out"));
        }
        JsonNode id = result.readOnly().get("id");
        if (expectedId != null && id != null && isUuid(id) && !id.asText().equals(expectedId.toString())) {
            errors.add(ValidationError.at("$.id", "is pipeline " + id.asText() + ", not " + expectedId
                    + " (the one in the path); leave id out"));
        }
        List<String> channelNames = new ArrayList<>();
        JsonNode written = body == null ? null : body.path("settings").path("notification").path("channels");
        if (written != null && written.isArray()) {
            written.forEach(n -> channelNames.add(n.isTextual() ? n.textValue() : null));
        }
        List<String> credentialNames = new ArrayList<>();
        JsonNode steps = body == null ? null : body.path("steps");
        if (steps != null && steps.isArray()) {
            steps.forEach(step -> {
                JsonNode name = step.path("config").path(StepAuth.AUTH).path(StepAuth.CREDENTIAL);
                credentialNames.add(name.isTextual() ? name.textValue() : null);
            });
        }
        return Uni.combine().all().unis(unknownChannels(tenant, channelNames), unknownCredentials(tenant, credentialNames))
                .with((channelErrors, credentialErrors) -> {
                    errors.addAll(channelErrors);
                    errors.addAll(credentialErrors);
                    if (!errors.isEmpty()) {
                        throw ApiException.invalid(INVALID, errors);
                    }
                    return result.definition();
                });
    }

    /**
     * Reads an edited document again as a whole template. Errors under {@code focusStepPath} (the
     * step the user sent) are reported relative to that step ({@code $.capabilities}), others
     * with their full path.
     */
    TemplateDefinition reread(ObjectNode document, String focusStepPath) {
        TemplateReader.Result result = reader.read(document);
        if (!result.valid()) {
            List<ValidationError> errors = result.errors().stream()
                    .map(e -> focusStepPath != null && e.path().startsWith(focusStepPath)
                            ? ValidationError.at("$" + e.path().substring(focusStepPath.length()), e.message())
                            : e)
                    .toList();
            throw ApiException.invalid(INVALID, errors);
        }
        return result.definition();
    }

    /**
     * 422 when {@code settings.notification.channels} names a channel the tenant does not have, or
     * a step a credential it does not have: for definitions that did not come through
     * {@link #read} (step edits, a system template used).
     */
    Uni<Void> knownReferences(UUID tenant, TemplateDefinition d) {
        return knownReferences(tenant, d, null);
    }

    /** As {@link #knownReferences(UUID, TemplateDefinition)}, errors under {@code focusStepPath} relative to that step. */
    Uni<Void> knownReferences(UUID tenant, TemplateDefinition d, String focusStepPath) {
        List<String> names = d.settings() == null || d.settings().notification() == null
                || d.settings().notification().channels() == null ? List.of() : d.settings().notification().channels();
        List<String> credentialNames = d.steps().stream().map(s -> StepAuth.credential(s.config())).toList();
        return Uni.combine().all().unis(unknownChannels(tenant, names), unknownCredentials(tenant, credentialNames))
                .with((channelErrors, credentialErrors) -> {
                    List<ValidationError> errors = new ArrayList<>(channelErrors);
                    credentialErrors.forEach(e -> errors.add(focusStepPath != null && e.path().startsWith(focusStepPath)
                            ? ValidationError.at("$" + e.path().substring(focusStepPath.length()), e.message()) : e));
                    if (!errors.isEmpty()) {
                        throw ApiException.invalid(INVALID, errors);
                    }
                    return null;
                });
    }

    /** An error for each step (by position; null: the step names none) whose credential is none of the tenant's. */
    private Uni<List<ValidationError>> unknownCredentials(UUID tenant, List<String> byStep) {
        List<String> given = byStep.stream().filter(n -> n != null && NameRules.NAME_TOKEN.matcher(n).matches()).distinct().toList();
        if (given.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return credentials.kinds(tenant, given).map(kinds -> {
            List<ValidationError> errors = new ArrayList<>();
            for (int i = 0; i < byStep.size(); i++) {
                if (given.contains(byStep.get(i)) && !kinds.containsKey(byStep.get(i))) {
                    errors.add(ValidationError.at("$.steps[" + i + "].config.auth.credential", "is not one of your "
                            + "scan credentials (GET /api/v1/credentials lists them; POST /api/v1/credentials makes one)"));
                }
            }
            return errors;
        });
    }

    /** An error for each name (by its position; null entries are skipped) that is no channel of the tenant. */
    private Uni<List<ValidationError>> unknownChannels(UUID tenant, List<String> names) {
        List<String> given = names.stream().filter(Objects::nonNull).toList();
        return channels.unknown(tenant, given).map(unknown -> {
            List<ValidationError> errors = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i) != null && unknown.contains(names.get(i))) {
                    errors.add(ValidationError.at("$.settings.notification.channels[" + i + "]", "'" + names.get(i)
                            + "' is neither a channel kind (slack, email, webhook) nor one of your notification "
                            + "channels (POST /api/v1/notification-channels)"));
                }
            }
            return errors;
        });
    }

    private static boolean isUuid(JsonNode node) {
        try {
            UUID.fromString(node.asText());
            return node.isTextual();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
