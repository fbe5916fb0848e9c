package dev.scanflow.notification;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real local HTTP receiver for notification tests: records every request per path and answers
 * with the responses queued for that path (then 200), or hangs when told to.
 */
final class Receiver implements AutoCloseable {

    record Request(String path, Map<String, List<String>> headers, String body, long at, int answered) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** A queued answer; {@code hangMillis} > 0 waits that long before answering. */
    record Answer(int status, String body, Map<String, String> headers, long hangMillis) {
        static Answer of(int status) {
            return new Answer(status, "", Map.of(), 0);
        }
    }

    private final HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
    /** What a path answers when nothing is queued for it. */
    volatile int fallback = 200;

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Answer answer;
            synchronized (answers) {
                Deque<Answer> queue = answers.get(path);
                answer = queue == null || queue.isEmpty() ? Answer.of(fallback) : queue.poll();
            }
            if (answer.hangMillis() > 0) {
                try {
                    Thread.sleep(answer.hangMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            requests.add(new Request(path, Map.copyOf(exchange.getRequestHeaders()), body, System.currentTimeMillis(),
                    answer.status()));
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void answer(String path, Answer... queued) {
        synchronized (answers) {
            answers.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(List.of(queued));
        }
    }

    List<Request> at(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
