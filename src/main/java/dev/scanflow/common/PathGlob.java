package dev.scanflow.common;

import java.util.regex.Pattern;

/**
 * A path pattern of credential scopes and scan policies: {@code *} stands for one segment's
 * characters, {@code **} for anything, the rest for itself.
 */
public final class PathGlob {

    private PathGlob() {
    }

    public static Pattern compile(String path) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '*' && i + 1 < path.length() && path.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
