package io.topaz.bench.ha;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One control plane started as a process from the built exec jar, on a fixed port, instance id and data directory, so
 * that it can be stopped (SIGTERM) or killed (SIGKILL) and started again as the same instance.
 */
final class ControlPlaneProcess {

    private final String id;
    private final int port;
    private final List<String> command;
    private final String adminToken;
    private final Path log;
    private Process process;

    ControlPlaneProcess(String id, int port, Path jar, Path dataDir, Path log, String adminToken,
                        List<String> properties) {
        this.id = id;
        this.port = port;
        this.adminToken = adminToken;
        this.log = log;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "--server.port=" + port,
                "--topaz.ha.instance-id=" + id,
                "--topaz.ha.advertised-url=" + url(),
                "--topaz.data-dir=" + dataDir));
        cmd.addAll(properties);
        this.command = List.copyOf(cmd);
    }

    String id() {
        return id;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Starts the process (appending to its log); the caller waits for it to answer. */
    void start() throws IOException {
        if (alive()) {
            throw new IllegalStateException(id + " is running");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // the same admin secret on both instances: known in advance, created once in the shared database
        pb.environment().put("TOPAZ_SECURITY_BOOTSTRAPADMINTOKEN", adminToken);
        process = pb.start();
    }

    /** SIGTERM (graceful: Spring closes the context, the leader latch is released). */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL: nothing runs, the ZooKeeper session stays until it expires. */
    void kill() {
        process.destroyForcibly();
    }

    /** Waits until the process has exited; returns false on timeout. */
    boolean awaitExit(long seconds) throws InterruptedException {
        return process == null || process.waitFor(seconds, TimeUnit.SECONDS);
    }
}
