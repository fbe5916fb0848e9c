package dev.scanflow.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.scanflow.protocol.ScanCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checking a repository target out with the real git. */
class CheckoutTest {

    private static ScanCommand.Target target(String url, String branch) {
        return new ScanCommand.Target(null, "repository", "x", url, List.of(), null, Map.of(), branch, null);
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.email=t@example.com", "-c", "user.name=t"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }

    @Test
    void aGitRepositoryIsClonedAtTheBranchAndCommit(@TempDir Path tmp) throws Exception {
        Path origin = Files.createDirectories(tmp.resolve("origin"));
        git(origin, "init", "--quiet", "--initial-branch=main");
        Files.writeString(origin.resolve("a.txt"), "one");
        git(origin, "add", ".");
        git(origin, "commit", "--quiet", "-m", "one");
        git(origin, "checkout", "--quiet", "-b", "feature");
        Files.writeString(origin.resolve("a.txt"), "two");
        git(origin, "commit", "--quiet", "-am", "two");
        List<String> log = new ArrayList<>();
        long started = System.nanoTime();
        Path out = Checkout.of(target(origin.toUri().toString(), "feature"),
                tmp.resolve("clone"), log::add);
        assertTrue(System.nanoTime() - started < 10_000_000_000L, "took " + (System.nanoTime() - started) / 1_000_000 + " ms");
        assertEquals("two", Files.readString(out.resolve("a.txt")));
        assertTrue(log.get(0).startsWith("$ git clone --depth 1 --quiet --branch feature"), log.toString());
    }

    @Test
    void aPlainDirectoryIsScannedAsItIsAndBadUrlsAreRefused(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("x.txt"), "x");
        assertEquals(tmp, Checkout.of(target(tmp.toString(), null), tmp.resolve("c"), l -> { }));
        assertThrows(IOException.class, () -> Checkout.of(target(null, null), tmp.resolve("d"), l -> { }));
        assertThrows(IOException.class, () -> Checkout.of(target("--upload-pack=touch /tmp/x", null),
                tmp.resolve("e"), l -> { }));
        IOException missing = assertThrows(IOException.class, () -> Checkout.of(
                target(tmp.resolve("nope").toUri().toString(), null), tmp.resolve("f"), l -> { }));
        assertTrue(missing.getMessage().contains("git clone"), missing.getMessage());
    }

    @Test
    void aPasswordInAUrlIsNeverShown() {
        // an older Scanflow may still send one; the service refuses new ones (issue 22)
        assertEquals("$ git clone -- https://ci-bot:***@git.example.com/acme/x.git",
                Checkout.withoutPassword("$ git clone -- https://ci-bot:ghp_SECRET@git.example.com/acme/x.git"));
        assertEquals("ssh://git:***@host/x", Checkout.withoutPassword("ssh://git:pw@host/x"));
        for (String plain : List.of("git@github.com:acme/x.git", "ssh://git@host/x", "https://host/a@b", "file:///tmp/x")) {
            assertEquals(plain, Checkout.withoutPassword(plain));
        }
    }
}
