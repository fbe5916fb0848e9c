package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.CredentialReply.Credential;
import dev.scanflow.protocol.ScanCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the command's credentials reach git and the tool: environments and private files, checked with the real git. */
class GitAccessTest {

    private static final String TOKEN = "ghp_unit" + System.nanoTime();

    private static Credential token(String user) {
        return new Credential("github-ci", "git_token", "checkout", user, null, TOKEN);
    }

    /** Runs git with the environment and the test's own global configuration (a store helper) and no system one. */
    private static String git(Path home, Map<String, String> env, String input, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_CONFIG_GLOBAL", home.resolve("gitconfig").toString());
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        return out;
    }

    @Test
    void aTokenIsAnsweredByTheHelperFromTheEnvironmentAndNeverStored(@TempDir Path tmp) throws Exception {
        Map<String, String> env = GitAccess.environment(List.of(token(null)), tmp);
        assertEquals(GitAccess.DEFAULT_USERNAME, env.get(GitAccess.USERNAME_VARIABLE));
        assertEquals(TOKEN, env.get(GitAccess.PASSWORD_VARIABLE));
        // the value is in the password variable only: not in git's configuration, which ps may show
        env.forEach((k, v) -> assertTrue(k.equals(GitAccess.PASSWORD_VARIABLE) || !v.contains(TOKEN), k));
        assertEquals(Map.of("GIT_CONFIG_COUNT", "2", "GIT_CONFIG_KEY_0", "credential.helper", "GIT_CONFIG_VALUE_0", "",
                "GIT_CONFIG_KEY_1", "credential.helper", "GIT_CONFIG_VALUE_1", GitAccess.HELPER),
                Map.of("GIT_CONFIG_COUNT", env.get("GIT_CONFIG_COUNT"), "GIT_CONFIG_KEY_0", env.get("GIT_CONFIG_KEY_0"),
                        "GIT_CONFIG_VALUE_0", env.get("GIT_CONFIG_VALUE_0"), "GIT_CONFIG_KEY_1", env.get("GIT_CONFIG_KEY_1"),
                        "GIT_CONFIG_VALUE_1", env.get("GIT_CONFIG_VALUE_1")));

        // the host has a helper that stores what git approves: it must neither answer nor store
        Path store = tmp.resolve("store");
        Files.writeString(tmp.resolve("gitconfig"), "[credential]\n\thelper = store --file " + store + "\n");
        String filled = git(tmp, env, "protocol=https\nhost=git.example.com\n\n", "credential", "fill");
        assertTrue(filled.contains("username=x-access-token\n") && filled.contains("password=" + TOKEN + "\n"), filled);
        git(tmp, env, filled + "\n", "credential", "approve");
        assertFalse(Files.exists(store), "the host's helper stored the token");
        // (the premise: without the command's environment that helper does store)
        git(tmp, Map.of(), "protocol=https\nhost=other.example.com\nusername=u\npassword=p\n\n", "credential", "approve");
        assertTrue(Files.readString(store).contains("other.example.com"));

        Map<String, String> named = GitAccess.environment(List.of(token("ci-bot")), tmp.resolve("x"));
        assertEquals("ci-bot", named.get(GitAccess.USERNAME_VARIABLE));
        Map<String, String> basic = GitAccess.environment(List.of(new Credential("gitea", "http_basic", "checkout",
                "alice", null, "pw")), tmp.resolve("y"));
        assertEquals("alice", basic.get(GitAccess.USERNAME_VARIABLE));
        assertEquals("pw", basic.get(GitAccess.PASSWORD_VARIABLE));
    }

    @Test
    void anSshKeyGoesIntoAPrivateFileThatEndsWithTheStep(@TempDir Path tmp) throws Exception {
        String pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
        StepCredentials held = StepCredentials.hold(List.of(new Credential("deploy-key", "git_ssh_key", "checkout", null,
                null, pem)), tmp);
        String ssh = held.gitEnvironment().get("GIT_SSH_COMMAND");
        Path key;
        try (var dirs = Files.list(tmp)) {
            Path dir = dirs.findFirst().orElseThrow();
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            key = dir.resolve(GitAccess.KEY_FILE);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals(pem + "\n", Files.readString(key));
        assertEquals("ssh -i '" + key + "' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes", ssh);
        assertFalse(held.gitEnvironment().containsKey(GitAccess.PASSWORD_VARIABLE));
        held.close();
        assertFalse(Files.exists(key));
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count());
        }
        assertEquals("'it'\\''s'", GitAccess.shellQuoted("it's"));
    }

    @Test
    void httpCredentialsBecomeHeadersInPrivateFilesNeverPlaceholderValues(@TempDir Path tmp) throws Exception {
        StepCredentials held = StepCredentials.hold(List.of(
                new Credential("staging-login", "http_basic", "target", "alice", null, "pw1"),
                new Credential("api", "api_key", "target", null, null, "k-2"),
                new Credential("session", "cookie", "target", null, null, "sid=3"),
                new Credential("bearer", "http_header", "target", null, "Authorization", "Bearer t4"),
                new Credential("gitlab", "http_header", "checkout", null, "PRIVATE-TOKEN", "glpat-5")), tmp);
        Path file = Path.of(held.toolEnvironment().get(StepCredentials.HEADER_FILE_VARIABLE));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("Authorization: Basic YWxpY2U6cHcx\nX-API-Key: k-2\nCookie: sid=3\nAuthorization: Bearer t4\n",
                Files.readString(file));
        // a checkout header goes to git as http.extraHeader (environment, not argv)
        assertEquals("http.extraHeader", held.gitEnvironment().get("GIT_CONFIG_KEY_1"));
        assertEquals("PRIVATE-TOKEN: glpat-5", held.gitEnvironment().get("GIT_CONFIG_VALUE_1"));

        ScanCommand.Target target = new ScanCommand.Target(null, "web_application", "app",
                "https://staging.example.com:8443/api/", List.of(), null, Map.of(), null, null);
        Map<String, Object> auth = held.placeholders(target, "ffuf -request {auth.ffuf_request} -w x", tmp);
        assertEquals(file.toString(), auth.get("header_file"));
        Path request = Path.of((String) auth.get("ffuf_request"));
        assertEquals(file.getParent(), request.getParent());
        assertEquals("GET /api/FUZZ HTTP/1.1\r\nHost: staging.example.com:8443\r\nAuthorization: Basic YWxpY2U6cHcx\r\n"
                + "X-API-Key: k-2\r\nCookie: sid=3\r\nAuthorization: Bearer t4\r\n\r\n", Files.readString(request));
        String described = held.describe();
        for (String value : List.of("pw1", "k-2", "sid=3", "t4", "glpat-5")) {
            assertFalse(described.contains(value), described);
        }
        // {auth.header_file[]} drops its option when there is nothing to send
        Map<String, Object> vars = new HashMap<>(Map.of("auth", StepCredentials.NONE.placeholders(target, "nuclei", tmp)));
        assertEquals(List.of("nuclei"), ArgumentTemplate.expand(List.of("nuclei", "-H={auth.header_file[]}"), vars));
        vars.put("auth", auth);
        assertEquals(List.of("nuclei", "-H=" + file), ArgumentTemplate.expand(List.of("nuclei", "-H={auth.header_file[]}"), vars));
        held.close();
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(request));
    }

    @Test
    void aValueWithALineBreakCannotAddHeaders(@TempDir Path tmp) {
        CredentialsUnavailable e = assertThrows(CredentialsUnavailable.class, () -> StepCredentials.hold(List.of(
                new Credential("evil", "cookie", "target", null, null, "a=1\r\nX-Admin: yes")), tmp));
        assertEquals("credential evil (cookie) has a line break in its header or value", e.getMessage());
        assertThrows(CredentialsUnavailable.class, () -> StepCredentials.hold(List.of(
                new Credential("h", "http_header", "target", null, null, "v")), tmp));
        try (var left = Files.list(tmp)) {
            assertEquals(0, left.count(), "the private directory of a refused credential is removed");
        } catch (java.io.IOException io) {
            throw new AssertionError(io);
        }
    }
}
