package dev.scanflow.agent;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the reference scanner worker: {@code bin/scanflow-worker --config worker.yaml}.
 * It stops on SIGTERM/SIGINT (killing the tools it runs).
 */
public final class ScanWorkerMain {

    private ScanWorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            if (("--config".equals(args[i]) || "-c".equals(args[i])) && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else if ("--help".equals(args[i]) || "-h".equals(args[i])) {
                System.out.println("usage: scanflow-worker --config worker.yaml   (see examples/worker.yaml)");
                return;
            }
        }
        if (config == null) {
            System.err.println("scanflow-worker: --config <file> is required (see examples/worker.yaml)");
            System.exit(2);
        }
        WorkerConfig cfg;
        try {
            cfg = WorkerConfig.load(config, System.getenv());
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("scanflow-worker: " + e.getMessage());
            System.exit(2);
            return;
        }
        ScanWorker worker = new ScanWorker(cfg).start();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                worker.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.countDown();
        }));
        stop.await();
    }
}
