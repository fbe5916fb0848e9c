package dev.scanflow.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.scanflow.common.ApiException;
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
 * checked here, through {@link ChannelNames}, and nowhere else.
 */
@ApplicationScoped
public class PipelineBodies {

    private static final String INVALID = "Invalid pipeline template";

    private final TemplateReader reader;
    private final ChannelNames channels;

    public PipelineBodies(TemplateReader reader, ChannelNames channels) {
        this.reader = reader;
        this.channels = channels;
    }

    /**
     * Reads a template body: every error at once, or the normalized definition. The read-only
     * fields the design document's example and the API's own answers carry are accepted, except
     * a {@code tenant_id} of another tenant or (for {@code expectedId}) an {@code id} of another
     * pipeline, which would say the body is meant for something else. Channel names are looked
     * up even when other parts are wrong, so that their errors come in the same answer.
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
        return unknownChannels(tenant, channelNames).map(channelErrors -> {
            errors.addAll(channelErrors);
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
     * 422 when {@code settings.notification.channels} names a channel the tenant does not have:
     * for definitions that did not come through {@link #read} (step edits, a system template used).
     */
    Uni<Void> knownChannels(UUID tenant, TemplateDefinition d) {
        List<String> names = d.settings() == null || d.settings().notification() == null
                || d.settings().notification().channels() == null ? List.of() : d.settings().notification().channels();
        return unknownChannels(tenant, names).map(errors -> {
            if (!errors.isEmpty()) {
                throw ApiException.invalid(INVALID, errors);
            }
            return null;
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
