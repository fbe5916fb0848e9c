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
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compiles and type-checks step conditions written in CEL, with limits that keep a tenant from
 * burning CPU: the expression's size, its parse depth and node count, comprehension iterations
 * and regular expression size are all bounded.
 *
 * <p>Variables are typed ({@link ConditionVariables}): {@code asset}, {@code steps.<id>} and
 * {@code run} have known fields, so a misspelt field or a comparison of a count with a string
 * is an error when the template is saved; {@code context} is an open map whose documented
 * fields are checked by name. Besides standard CEL, lists have a member {@code contains(x)} so
 * that {@code asset.tags.contains('production')} works like {@code 'production' in asset.tags}.
 * Thread-safe; build one and share it.
 */
public final class ConditionCompiler {

    public static final int MAX_EXPRESSION_LENGTH = 2_000;
    private static final String LIST_CONTAINS = "list_contains_dyn";
    private static final String CONTEXT = "context";

    private final CelCompiler compiler;
    private final CelRuntime runtime;
    private final List<String> variables;

    /** The compiler for step conditions: asset, steps, context, run. */
    public ConditionCompiler() {
        this(ConditionVariables.stepConditions());
    }

    /** The compiler for asset filters (a schedule's {@code targets[].asset_filter}, discovery triggers). */
    public static ConditionCompiler assetFilters() {
        return new ConditionCompiler(ConditionVariables.assetFilters());
    }

    /** The compiler for webhook payload filters. */
    public static ConditionCompiler payloadFilters() {
        return new ConditionCompiler(ConditionVariables.payloadFilters());
    }

    private ConditionCompiler(Map<String, CelType> variables) {
        this.variables = List.copyOf(variables.keySet());
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
        var builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(options)
                .setTypeProvider(ConditionVariables.TYPES)
                .setResultType(SimpleType.BOOL)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration("contains",
                        CelOverloadDecl.newMemberOverload(LIST_CONTAINS, SimpleType.BOOL,
                                ListType.create(SimpleType.DYN), SimpleType.DYN)));
        variables.forEach(builder::addVar);
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
            checkContextFields(ast);
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

    /** {@code context.<field>} names a documented field; keys of a run's own are read as {@code context['key']}. */
    private void checkContextFields(CelAbstractSyntaxTree ast) throws ConditionException {
        if (!variables.contains(CONTEXT)) {
            return;
        }
        List<String> problems = new ArrayList<>();
        CelNavigableAst.fromAst(ast).getRoot().allNodes()
                .map(CelNavigableExpr::expr)
                .filter(e -> e.exprKind().getKind() == CelExpr.ExprKind.Kind.SELECT)
                .filter(e -> e.select().operand().exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT
                        && e.select().operand().ident().name().equals(CONTEXT))
                .filter(e -> !ConditionVariables.CONTEXT_FIELDS.contains(e.select().field()))
                .forEach(e -> {
                    String field = e.select().field();
                    Integer offset = ast.getSource().getPositionsMap().get(e.id());
                    String where = offset == null ? "" : ast.getSource().getOffsetLocation(offset)
                            .map(l -> "at line " + l.getLine() + ", column " + (l.getColumn() + 1) + ": ").orElse("");
                    problems.add(where + "unknown context field '" + field + "' (known: "
                            + String.join(", ", ConditionVariables.CONTEXT_FIELDS) + "); a key of the run's own "
                            + "context reads as context['" + field + "'], guarded by '" + field + "' in context");
                });
        if (!problems.isEmpty()) {
            throw new ConditionException(String.join("; ", problems));
        }
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
