package dev.scanflow;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The layering of docs/architecture.md, held as rules over the compiled classes (tests excluded).
 * Each rule was seen failing on a deliberate violation before it was committed.
 */
@AnalyzeClasses(packages = "dev.scanflow", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The feature packages: everything that is not a shared layer below them. */
    static final String[] FEATURES = {"dev.scanflow.pipeline..", "dev.scanflow.asset..", "dev.scanflow.run..",
            "dev.scanflow.engine..", "dev.scanflow.fleet..", "dev.scanflow.auth..", "dev.scanflow.trigger..",
            "dev.scanflow.webhook..", "dev.scanflow.discovery..", "dev.scanflow.catalog..",
            "dev.scanflow.notification..", "dev.scanflow.agent..", "dev.scanflow.nats..", "dev.scanflow.cli..",
            "dev.scanflow.credential..", "dev.scanflow.scope..", "dev.scanflow.finding.."};

    @ArchTest
    static final ArchRule theDomainIsPlainJava = classes().that().resideInAPackage("dev.scanflow.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.scanflow.domain..")
            .because("the state machine, the DAG and worker matching are tested without any framework");

    @ArchTest
    static final ArchRule conditionsAreCelAndNothingElse = classes().that().resideInAPackage("dev.scanflow.condition..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.scanflow.condition..", "dev.cel..",
                    "com.google.common..", "com.google.protobuf..")
            .because("conditions are compiled and evaluated by CEL alone");

    @ArchTest
    static final ArchRule theProtocolIsJacksonRecordsOnly = classes().that().resideInAPackage("dev.scanflow.protocol..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.scanflow.protocol..",
                    "com.fasterxml.jackson..")
            .because("the worker artifact ships the protocol without the service");

    @ArchTest
    static final ArchRule theSharedLayersKnowNoFeature = noClasses().that()
            .resideInAnyPackage("dev.scanflow.common..", "dev.scanflow.protocol..", "dev.scanflow.config..")
            .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
            .because("common, protocol and config sit below every feature");

    @ArchTest
    static final ArchRule theWorkerUsesOnlyTheProtocol = classes().that().resideInAPackage("dev.scanflow.agent..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.xml..", "org.w3c.dom..",
                    "org.xml.sax..", "dev.scanflow.agent..",
                    "dev.scanflow.protocol..", "com.fasterxml.jackson..", "io.nats.client..", "org.yaml.snakeyaml..")
            .because("the reference worker is its own artifact: no Quarkus, no database, no service code");

    @ArchTest
    static final ArchRule theCliIsAPlainHttpClient = classes().that().resideInAPackage("dev.scanflow.cli..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.scanflow.cli..", "picocli..",
                    "com.fasterxml.jackson..")
            .because("the scanflow CLI is its own artifact: the API over HTTP, no Quarkus, no service code");

    @ArchTest
    static final ArchRule theEngineCallsNoInboundAdapter = noClasses().that().resideInAPackage("dev.scanflow.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.scanflow.run..", "dev.scanflow.fleet..",
                    "dev.scanflow.pipeline..", "dev.scanflow.asset..", "dev.scanflow.trigger..", "dev.scanflow.agent..",
                    "dev.scanflow.webhook..", "dev.scanflow.discovery..", "dev.scanflow.scope..", "dev.scanflow.finding..")
            .because("results, heartbeats, the API and triggers call into the engine, never the reverse; the "
                    + "scope guard reaches the decider only as the domain's ScopeCheck port, found by CDI");

    @ArchTest
    static final ArchRule theScopeGuardKnowsNoStartOfRuns = noClasses().that().resideInAPackage("dev.scanflow.scope..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.scanflow.engine..", "dev.scanflow.run..",
                    "dev.scanflow.trigger..", "dev.scanflow.webhook..", "dev.scanflow.discovery..",
                    "dev.scanflow.pipeline..", "dev.scanflow.asset..", "dev.scanflow.fleet..", "dev.scanflow.catalog..",
                    "dev.scanflow.notification..")
            .because("every start of runs goes through run/RunLauncher, which asks the scope guard; the guard "
                    + "sits below all of them and decides from the run's own state");

    @ArchTest
    static final ArchRule theEngineLendsNoConnection = methods().that().areDeclaredInClassesThat()
            .resideInAPackage("dev.scanflow.engine..").and().arePublic()
            .should(new ArchCondition<JavaMethod>("take no callback that is handed a connection") {
                @Override
                public void check(JavaMethod method, ConditionEvents events) {
                    for (java.lang.reflect.Type type : method.reflect().getGenericParameterTypes()) {
                        String name = type.getTypeName();
                        if (type instanceof java.lang.reflect.ParameterizedType
                                && (name.contains("sqlclient.SqlConnection") || name.contains("sqlclient.SqlClient"))) {
                            events.add(SimpleConditionEvent.violated(method, method.getFullName() + " takes " + name));
                        }
                    }
                }
            })
            .because("others hand the engine a RunStartPlan or a PlannedWrite (values); no code of theirs runs "
                    + "with the engine's connection (ADR 0008)");

    @ArchTest
    static final ArchRule templatesKnowNotificationsOnlyThroughTheirPort = noClasses().that()
            .resideInAPackage("dev.scanflow.pipeline..").should().dependOnClassesThat()
            .resideInAPackage("dev.scanflow.notification..")
            .because("the pipeline package asks ChannelNames, which notification implements");

    @ArchTest
    static final ArchRule credentialsAreReachedOnlyThroughTheirPort = noClasses().that()
            .resideOutsideOfPackage("dev.scanflow.credential..").should().dependOnClassesThat()
            .resideInAPackage("dev.scanflow.credential..")
            .because("assets, templates and the engine ask common/CredentialNames, which the credential package "
                    + "implements; only the credential package holds values, seals and opens them (ADR 0009)");

    @ArchTest
    static final ArchRule resourcesRegisterThemselvesForReflection = classes().that()
            .areAnnotatedWith("jakarta.ws.rs.Path").should()
            .beAnnotatedWith("io.quarkus.runtime.annotations.RegisterForReflection")
            .because("a native image keeps the @QueryParam annotations KnownQueryParameters reads only for "
                    + "registered classes, and no shared class names the resources of the features");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.scanflow.(*)..").should().beFreeOfCycles();
}
