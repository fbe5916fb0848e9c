package dev.scanflow.agent;

import dev.scanflow.protocol.CredentialReply.Credential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment git runs with to check a repository out with the command's {@code checkout}
 * credentials, none of them on git's command line or in the clone URL:
 * <ul>
 * <li>{@code git_token} (user {@code x-access-token} unless it names one) or {@code http_basic}:
 * a credential helper, given through git's environment configuration
 * ({@code GIT_CONFIG_COUNT}/{@code _KEY_n}/{@code _VALUE_n}), that prints the user and password
 * from {@link #USERNAME_VARIABLE} and {@link #PASSWORD_VARIABLE}; {@code ps} shows the helper's
 * text, never the values;</li>
 * <li>{@code git_ssh_key}: the key in a 0600 file of the command's private directory and
 * {@code GIT_SSH_COMMAND} pointing ssh at it;</li>
 * <li>{@code http_header}, {@code cookie}, {@code api_key}: an {@code http.extraHeader}.</li>
 * </ul>
 * The host's own credential helpers are switched off for these commands, so none stores the
 * token or offers another one. The first credential of each mechanism is used.
 */
final class GitAccess {

    static final String USERNAME_VARIABLE = "SCANFLOW_GIT_USERNAME";
    static final String PASSWORD_VARIABLE = "SCANFLOW_GIT_PASSWORD";
    static final String DEFAULT_USERNAME = "x-access-token";
    static final String KEY_FILE = "git-ssh-key";
    /** Answers git's {@code get} from the environment; {@code store} and {@code erase} do nothing. */
    static final String HELPER = "!f() { test \"$1\" = get && printf 'username=%s\\npassword=%s\\n' \"$"
            + USERNAME_VARIABLE + "\" \"$" + PASSWORD_VARIABLE + "\"; }; f";

    private GitAccess() {
    }

    /** Git's environment for these checkout credentials (empty for none); the key file goes into {@code privateDir}. */
    static Map<String, String> environment(List<Credential> checkout, Path privateDir)
            throws IOException, CredentialsUnavailable {
        Map<String, String> env = new LinkedHashMap<>();
        if (checkout.isEmpty()) {
            return env;
        }
        List<String[]> config = new ArrayList<>();
        config.add(new String[] {"credential.helper", ""}); // an empty value empties the list of helpers
        Credential login = first(checkout, "git_token", "http_basic");
        if (login != null) {
            env.put(USERNAME_VARIABLE, login.username() == null || login.username().isBlank() ? DEFAULT_USERNAME
                    : login.username());
            env.put(PASSWORD_VARIABLE, login.value());
            config.add(new String[] {"credential.helper", HELPER});
        }
        for (Credential c : checkout) {
            if (AuthHeaders.isHttp(c) && !"http_basic".equals(c.kind())) {
                config.add(new String[] {"http.extraHeader", AuthHeaders.line(c)});
            }
        }
        Credential key = first(checkout, "git_ssh_key");
        if (key != null) {
            String pem = key.value().endsWith("\n") ? key.value() : key.value() + "\n"; // ssh wants the last newline
            Path file = PrivateFiles.write(privateDir.resolve(KEY_FILE), pem);
            env.put("GIT_SSH_COMMAND", "ssh -i " + shellQuoted(file.toString())
                    + " -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes");
        }
        env.put("GIT_CONFIG_COUNT", String.valueOf(config.size()));
        for (int i = 0; i < config.size(); i++) {
            env.put("GIT_CONFIG_KEY_" + i, config.get(i)[0]);
            env.put("GIT_CONFIG_VALUE_" + i, config.get(i)[1]);
        }
        return env;
    }

    private static Credential first(List<Credential> credentials, String... kinds) {
        return credentials.stream().filter(c -> List.of(kinds).contains(c.kind())).findFirst().orElse(null);
    }

    /** git runs GIT_SSH_COMMAND through the shell. */
    static String shellQuoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
