package dev.scanflow.common;

import dev.scanflow.domain.ValidationError;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Domain records that problem answers carry; registered here, since the domain imports no framework. */
@RegisterForReflection(targets = ValidationError.class)
final class DomainReflection {

    private DomainReflection() {
    }
}
