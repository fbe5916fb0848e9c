package dev.scanflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the tables a Java source file names in SQL, for {@link TableOwnershipTest}: comments are
 * dropped, string literals (text blocks too) joined when {@code +} concatenates them (constants and
 * calls in between break the text, never join it), and a table counts where SQL puts one: after
 * FROM, JOIN, INTO, UPDATE, TABLE, USING or TRUNCATE (any case, comma lists after FROM and USING
 * too). Also {@code @Table(name = "x")}, and a Panache entity named in HQL or in code stands for
 * its table. A table name in any other place ("/api/v1/assets", a log message) is not SQL.
 * A table named through a constant ({@code "FROM " + TABLE}) is not seen: the owners write their
 * table names out.
 */
final class SqlTableScanner {

    /** A table named in a file: written (or locked) or only read, with the text around it. */
    record Mention(String table, boolean write, String context) {
    }

    private static final char LITERAL = '\u0001';
    private static final Pattern CONCATENATION = Pattern.compile(
            "\\s*\\+\\s*(?:[\\w.]+(?:\\([^()\\u0001]*\\))?\\s*\\+\\s*)*");
    private static final Pattern TABLE_POSITION = Pattern.compile("(?i)\\b(from|join|into|update|table|using|truncate)\\s+"
            + "(?:only\\s+)?(?:if\\s+(?:not\\s+)?exists\\s+)?(?:public\\.)?\"?([A-Za-z_][A-Za-z0-9_]*)\"?");
    private static final Pattern NEXT_IN_LIST = Pattern.compile("(?i)\\G(?:\\s+(?:as\\s+)?(?!(?:where|join|inner|left|"
            + "right|full|cross|on|using|order|group|limit|for|natural|lateral|union|returning|set|having|offset)\\b)"
            + "[A-Za-z_][A-Za-z0-9_]*)?\\s*,\\s*(?:public\\.)?([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern LOCK = Pattern.compile("(?i)\\bfor\\s+(?:no\\s+key\\s+)?update\\b|\\bfor\\s+(?:key\\s+)?share\\b");
    private static final Pattern TABLE_ANNOTATION = Pattern.compile("@Table\\s*\\(\\s*name\\s*=\\s*$");

    private SqlTableScanner() {
    }

    /**
     * The mentions of {@code tables} in {@code source}; {@code entities} maps entity class names to
     * their tables.
     */
    static List<Mention> scan(String source, Set<String> tables, Map<String, String> entities) {
        StringBuilder code = new StringBuilder();
        List<String> literals = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        split(source, code, literals, at);
        List<Mention> found = new ArrayList<>();
        int i = 0;
        while (i < literals.size()) {
            StringBuilder text = new StringBuilder(literals.get(i));
            int j = i;
            while (j + 1 < literals.size()) {
                String between = code.substring(at.get(j) + 1, at.get(j + 1));
                if (!CONCATENATION.matcher(between).matches()) {
                    break;
                }
                text.append(between.replaceAll("[\\s+]", "").isEmpty() ? "" : " ? ").append(literals.get(j + 1));
                j++;
            }
            if (TABLE_ANNOTATION.matcher(code.substring(0, at.get(i))).find() && tables.contains(literals.get(i))) {
                found.add(new Mention(literals.get(i), true, "@Table(name = \"" + literals.get(i) + "\")"));
            }
            sql(text.toString(), tables, entities, found);
            i = j + 1;
        }
        entities.forEach((entity, table) -> {
            if (Pattern.compile("\\b" + entity + "\\b").matcher(code).find()) {
                found.add(new Mention(table, true, "the entity " + entity));
            }
        });
        return found;
    }

    private static void sql(String text, Set<String> tables, Map<String, String> entities, List<Mention> found) {
        boolean locks = LOCK.matcher(text).find();
        Matcher m = TABLE_POSITION.matcher(text);
        while (m.find()) {
            String keyword = m.group(1).toLowerCase(Locale.ROOT);
            boolean write = locks || switch (keyword) {
                case "into", "update", "table", "truncate" -> true;
                case "from", "using" -> text.substring(0, m.start()).matches("(?is).*\\bdelete\\s+$");
                default -> false;
            };
            add(m.group(2), write, text, m.start(), tables, entities, found);
            if (keyword.equals("from") || keyword.equals("using")) {
                Matcher next = NEXT_IN_LIST.matcher(text);
                int from = m.end();
                while (next.find(from) && next.start() == from) {
                    add(next.group(1), write, text, m.start(), tables, entities, found);
                    from = next.end();
                }
            }
        }
    }

    private static void add(String name, boolean write, String text, int where, Set<String> tables,
            Map<String, String> entities, List<Mention> found) {
        String table = tables.contains(name.toLowerCase(Locale.ROOT)) ? name.toLowerCase(Locale.ROOT) : entities.get(name);
        if (table != null) {
            String context = text.substring(Math.max(0, where - 30), Math.min(text.length(), where + 50)).strip();
            found.add(new Mention(table, write, context));
        }
    }

    /** Code without comments (each literal left as one LITERAL character), and the literals' texts and places. */
    private static void split(String s, StringBuilder code, List<String> literals, List<Integer> at) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (s.startsWith("//", i)) {
                i = s.indexOf('\n', i) < 0 ? s.length() : s.indexOf('\n', i);
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
                code.append(' ');
            } else if (s.startsWith("\"\"\"", i)) {
                int start = s.indexOf('\n', i) + 1;
                int end = start;
                while (!s.startsWith("\"\"\"", end) || s.charAt(end - 1) == '\\') {
                    end++;
                }
                at.add(code.length());
                literals.add(s.substring(start, end).stripIndent());
                code.append(LITERAL);
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                while (s.charAt(j) != c) {
                    if (s.charAt(j) == '\\') {
                        j++;
                        char e = s.charAt(j);
                        text.append(e == 'n' ? '\n' : e == 't' ? '\t' : e);
                    } else {
                        text.append(s.charAt(j));
                    }
                    j++;
                }
                if (c == '"') {
                    at.add(code.length());
                    literals.add(text.toString());
                    code.append(LITERAL);
                } else {
                    code.append(' ');
                }
                i = j + 1;
            } else {
                code.append(c);
                i++;
            }
        }
    }
}
