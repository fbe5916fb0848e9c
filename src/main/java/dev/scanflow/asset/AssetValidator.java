package dev.scanflow.asset;

import dev.scanflow.common.ApiException;
import dev.scanflow.common.NameRules;
import dev.scanflow.domain.AssetTypes;
import dev.scanflow.domain.ValidationError;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks and normalizes an asset; all errors at once, each with its path. A URL with credentials
 * in it is refused ({@link UrlUserinfo}); whether the credentials it names exist is the
 * service's check (it needs the database).
 */
final class AssetValidator {

    private static final Pattern TAG = dev.scanflow.common.NameRules.TAG;

    /** Most credentials an asset may name. */
    static final int MAX_CREDENTIALS = 10;

    private AssetValidator() {
    }

    /** The normalized asset and every error found (none: the asset is valid as far as it alone can say). */
    record Checked(AssetInput asset, List<ValidationError> errors) {
    }

    /** The normalized asset, or a 422 with every error. */
    static AssetInput validate(AssetInput in) {
        Checked c = check(in);
        if (!c.errors().isEmpty()) {
            throw ApiException.invalid("Invalid asset", c.errors());
        }
        return c.asset();
    }

    static Checked check(AssetInput in) {
        List<ValidationError> errors = new ArrayList<>();
        if (in.type() == null || in.type().isBlank()) {
            errors.add(ValidationError.at("$.type", "is required (one of " + String.join(", ", AssetTypes.ALL) + ")"));
        } else if (!AssetTypes.isKnown(in.type())) {
            errors.add(ValidationError.at("$.type", "unknown asset type '" + in.type() + "' (one of "
                    + String.join(", ", AssetTypes.ALL) + ")"));
        }
        String name = in.name() == null ? null : in.name().trim();
        if (name == null || name.isEmpty()) {
            errors.add(ValidationError.at("$.name", "is required and must not be empty"));
        } else if (name.length() > 255) {
            errors.add(ValidationError.at("$.name", "must be at most 255 characters"));
        }
        String url = in.url() == null || in.url().isBlank() ? null : in.url().trim();
        if (url != null) {
            try {
                URI uri = new URI(url);
                if (uri.getScheme() == null || (uri.getHost() == null && uri.getAuthority() == null
                        && !"file".equals(uri.getScheme()))) {
                    errors.add(ValidationError.at("$.url", "must be an absolute URL such as https://example.com"));
                }
            } catch (URISyntaxException e) {
                errors.add(ValidationError.at("$.url", "is not a URL: " + e.getReason()));
            }
            if (url.length() > 2_048) {
                errors.add(ValidationError.at("$.url", "must be at most 2048 characters"));
            }
            if (UrlUserinfo.hasSecret(url)) {
                errors.add(ValidationError.at("$.url", UrlUserinfo.REFUSAL));
            }
        }
        List<String> tags = new ArrayList<>();
        if (in.tags() != null) {
            for (int i = 0; i < in.tags().size(); i++) {
                String t = in.tags().get(i);
                if (t == null || !TAG.matcher(t).matches()) {
                    errors.add(ValidationError.at("$.tags[" + i + "]", "'" + t + "' is not a valid tag"));
                } else if (!tags.contains(t)) {
                    tags.add(t);
                }
            }
        }
        String criticality = in.criticality() == null ? "medium" : in.criticality();
        if (!AssetTypes.CRITICALITIES.contains(criticality)) {
            errors.add(ValidationError.at("$.criticality", "must be one of critical, high, medium, low"));
        }
        List<String> credentials = new ArrayList<>();
        if (in.credentials() != null) {
            if (in.credentials().size() > MAX_CREDENTIALS) {
                errors.add(ValidationError.at("$.credentials", "at most " + MAX_CREDENTIALS + " credentials"));
            }
            for (int i = 0; i < in.credentials().size(); i++) {
                String c = in.credentials().get(i);
                if (c == null || !NameRules.NAME_TOKEN.matcher(c).matches()) {
                    errors.add(ValidationError.at("$.credentials[" + i + "]", "a credential name is "
                            + NameRules.NAME_TOKEN_TEXT));
                } else if (!credentials.contains(c)) {
                    credentials.add(c);
                }
            }
        }
        Map<String, Object> properties = in.properties() == null ? Map.of() : in.properties();
        return new Checked(new AssetInput(in.type(), name, url, tags, criticality, properties, credentials), errors);
    }
}
