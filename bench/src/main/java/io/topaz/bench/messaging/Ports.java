package io.topaz.bench.messaging;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;

/** Ephemeral ports for the processes a harness starts, and whether something listens on one. */
final class Ports {

    private Ports() {
    }

    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
