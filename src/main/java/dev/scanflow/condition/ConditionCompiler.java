package dev.scanflow.condition;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compiles and type-checks step conditions written in CEL, with limits that keep a tenant from
 * burning CPU: the expression's size, its parse depth and node count, comprehension iterations
 * and regular expression size are all bounded.
 *
 * <p>Variables: {@code asset}, {@code steps}, {@code context} and {@code run}, each a
 * {@code map(string, dyn)}. Besides standard CEL, lists have a member {@code contains(x)} so
 * that {@code asset.tags.contains('production')} works like {@code 'production' in asset.tags}.
 * Thread-safe; build one and share it.
 */
public final class ConditionCompiler {

    /** Step conditions: the asset, the steps before this one, the run's context, the run. */
    public static final List<String> VARIABLES = List.of("asset", "steps", "context", "run");
    /**
     * Asset filters (a schedule's {@code targets[].asset_filter}): the asset's fields at top
     * level, as the design document writes them ({@code tags.contains('production')}), and the
     * whole asset as {@code asset}.
     */
    public static final List<String> ASSET_FILTER_VARIABLES = List.of("id", "type", "name", "url", "has_url",
            "tags", "criticality", "properties", "asset");
    /** Webhook filters: the delivery's JSON {@code payload} and its {@code event} (push, ...). */
    public static final List<String> PAYLOAD_FILTER_VARIABLES = List.of("payload", "event");
    public static final int MAX_EXPRESSION_LENGTH = 2_000;
    private static final String LIST_CONTAINS = "list_contains_dyn";

    private final CelCompiler compiler;
    private final CelRuntime runtime;
    private final List<String> variables;

    /** The compiler for step conditions. */
    public ConditionCompiler() {
        this(VARIABLES);
    }

    /** The compiler for asset filters. */
    public static ConditionCompiler assetFilters() {
        return new ConditionCompiler(ASSET_FILTER_VARIABLES);
    }

    /** The compiler for webhook payload filters. */
    public static ConditionCompiler payloadFilters() {
        return new ConditionCompiler(PAYLOAD_FILTER_VARIABLES);
    }

    /** A compiler whose expressions read the given variables, each of any JSON type. */
    public ConditionCompiler(List<String> variables) {
        this.variables = List.copyOf(variables);
        CelOptions options = CelOptions.newBuilder()
                .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
                .maxParseRecursionDepth(32)
                .maxParseExpressionNodeCount(400)
                .comprehensionMaxIterations(1_000)
                .maxRegexProgramSize(200)
                // JSON numbers arrive as Long: without a separate unsigned type, arithmetic on two
                // dyn values matches both add_int64 and add_uint64 and fails as ambiguous
                .enableUnsignedLongs(true)
                .build();
        var mapOfDyn = MapType.create(SimpleType.STRING, SimpleType.DYN);
        var builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(options)
                .setResultType(SimpleType.BOOL)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration("contains",
                        CelOverloadDecl.newMemberOverload(LIST_CONTAINS, SimpleType.BOOL,
                                ListType.create(SimpleType.DYN), SimpleType.DYN)));
        for (String variable : variables) {
            // maps where the document's examples select fields; plain dyn for an asset's fields
            builder.addVar(variable, VARIABLES.contains(variable) || variable.equals("asset") || variable.equals("properties")
                    ? mapOfDyn : SimpleType.DYN);
        }
        this.compiler = builder.build();
        this.runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(options)
                .addFunctionBindings(CelFunctionBinding.from(LIST_CONTAINS, List.class, Object.class,
                        (list, value) -> list.contains(value)))
                .build();
    }

    public List<String> variables() {
        return variables;
    }

    public CompiledCondition compile(String expression) throws ConditionException {
        if (expression == null || expression.isBlank()) {
            throw new ConditionException("expression must not be empty");
        }
        if (expression.length() > MAX_EXPRESSION_LENGTH) {
            throw new ConditionException("expression is longer than " + MAX_EXPRESSION_LENGTH + " characters");
        }
        CelValidationResult result = compiler.compile(expression);
        if (result.hasError()) {
            throw new ConditionException(describe(result.getErrors()));
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            CelRuntime.Program program = runtime.createProgram(ast);
            return new CompiledCondition(expression, program, referencedSteps(ast), variables);
        } catch (CelValidationException | CelEvaluationException e) {
            throw new ConditionException(e.getMessage(), e);
        }
    }

    private static String describe(List<CelIssue> issues) {
        return issues.stream()
                .map(issue -> {
                    var loc = issue.getSourceLocation();
                    String where = loc.getLine() > 0
                            ? "at line " + loc.getLine() + ", column " + (loc.getColumn() + 1) + ": "
                            : "";
                    return where + issue.getMessage();
                })
                .collect(Collectors.joining("; "));
    }

    /** The step ids read as {@code steps.<id>} anywhere in the expression. */
    private static Set<String> referencedSteps(CelAbstractSyntaxTree ast) {
        Set<String> steps = new LinkedHashSet<>();
        CelNavigableAst.fromAst(ast).getRoot().allNodes()
                .map(CelNavigableExpr::expr)
                .filter(e -> e.exprKind().getKind() == CelExpr.ExprKind.Kind.SELECT)
                .forEach(e -> {
                    CelExpr operand = e.select().operand();
                    if (operand.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT
                            && operand.ident().name().equals("steps")) {
                        steps.add(e.select().field());
                    }
                });
        return steps;
    }
}
