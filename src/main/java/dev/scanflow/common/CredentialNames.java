package dev.scanflow.common;

import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * What assets, templates and the engine need to know of a tenant's scan credentials: which names
 * exist, and their kinds. The credential package implements it, so none of them depends on it
 * (and it can read their tables' owners to refuse deleting a credential in use).
 */
public interface CredentialNames {

    /** The kind of each of these names that is one of the tenant's credentials; unknown names are left out. */
    Uni<Map<String, String>> kinds(UUID tenant, Collection<String> names);
}
