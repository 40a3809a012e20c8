package io.topaz.agent.net;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.Locale;

/**
 * The agent's network transport: which Netty I/O handler and channel types its servers and upstream client use.
 * io_uring is the default where the kernel allows it (it makes fewer system calls per request: see
 * docs/benchmarks.md), epoll where it does not, and {@code nio} works everywhere. A requested native transport the
 * host cannot load falls back to the next one ({@link #orFallback()}), and {@link #unavailableBecause()} says why.
 */
public enum Transport {
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    private final String flag;

    Transport(String flag) {
        this.flag = flag;
    }

    /** The value of {@code --transport} that names this transport. */
    public String flag() {
        return flag;
    }

    /** Whether this host can run this transport. */
    public boolean isAvailable() {
        return switch (this) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            case NIO -> true;
        };
    }

    private Throwable unavailabilityCause() {
        return switch (this) {
            case IO_URING -> IoUring.unavailabilityCause();
            case EPOLL -> Epoll.unavailabilityCause();
            case NIO -> null;
        };
    }

    /**
     * Parses {@code --transport}: {@code auto} (io_uring where the kernel allows it, else epoll, else nio),
     * {@code io_uring}, {@code epoll} or {@code nio}.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static Transport parse(String requested) {
        String name = requested == null ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "auto", "", "io_uring", "io-uring", "iouring" -> IO_URING;
            case "epoll" -> EPOLL;
            case "nio" -> NIO;
            default -> throw new IllegalArgumentException(
                    "--transport must be auto, epoll, io_uring or nio, was '" + requested + "'");
        };
    }

    /** This transport if the host can run it, else the next available one (io_uring → epoll → nio). */
    public Transport orFallback() {
        for (Transport t : values()) {
            if (t.ordinal() >= ordinal() && t.isAvailable()) {
                return t;
            }
        }
        return NIO;
    }

    /** Why this host cannot run this transport, or null when it can; for the agent's start-up log. */
    public String unavailableBecause() {
        if (isAvailable()) {
            return null;
        }
        Throwable cause = unavailabilityCause();
        return flag + " is not available here" + (cause == null ? "" : ": " + cause);
    }

    /**
     * @throws IllegalArgumentException when this host cannot run this transport, saying why
     */
    public void requireAvailable() {
        if (!isAvailable()) {
            throw new IllegalArgumentException(unavailableBecause());
        }
    }

    public IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    public Class<? extends ServerChannel> serverChannel() {
        return switch (this) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public Class<? extends SocketChannel> socketChannel() {
        return switch (this) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return switch (this) {
            case IO_URING -> IoUringDatagramChannel.class;
            case EPOLL -> EpollDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }
}
