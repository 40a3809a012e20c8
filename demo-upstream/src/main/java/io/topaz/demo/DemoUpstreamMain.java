package io.topaz.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/** {@code java -jar demo-upstream.jar [--port=9090] [--host=0.0.0.0] [--threads=0]}; env {@code TOPAZ_DEMO_PORT}. */
public final class DemoUpstreamMain {

    private static final Logger log = LoggerFactory.getLogger(DemoUpstreamMain.class);

    private DemoUpstreamMain() {
    }

    public static void main(String[] args) throws Exception {
        String env = System.getenv("TOPAZ_DEMO_PORT");
        int port = env == null || env.isBlank() ? 9090 : Integer.parseInt(env.trim());
        String host = "0.0.0.0";
        int threads = 0;
        for (String a : args) {
            if (a.startsWith("--port=")) {
                port = Integer.parseInt(a.substring(7));
            } else if (a.startsWith("--host=")) {
                host = a.substring(7);
            } else if (a.startsWith("--threads=")) {
                threads = Integer.parseInt(a.substring(10));
            } else {
                System.err.println("unknown argument " + a + "; use --port=9090 --host=0.0.0.0 --threads=0");
                System.exit(2);
            }
        }
        DemoUpstream upstream = DemoUpstream.start(host, port, threads, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(upstream::close, "demo-upstream-stop"));
        log.info("demo upstream listening on {}:{}", host, upstream.port());
        Thread.currentThread().join();
    }
}
