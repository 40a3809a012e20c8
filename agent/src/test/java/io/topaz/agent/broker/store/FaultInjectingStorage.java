package io.topaz.agent.broker.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A {@link Storage} in memory that can lose power, after RocksDB's {@code FaultInjectionTestEnv}. Each file keeps two
 * copies: what the running system sees (the page cache, written through mappings and writes) and what the disk
 * holds (updated only by a force). Directories likewise: the names the system sees, and the names the disk holds
 * (updated only by a directory sync).
 *
 * <p>{@link #afterPowerLoss()} returns the machine after a reboot: every file as its disk copy, except that the bytes
 * written since the file's last force are, per 512-byte sector, dropped, written back anyway, or garbled (at random;
 * only dropped under {@link Loss#DROP}) — bytes already forced are never touched; a size change not forced is kept or lost at random; every create, rename and
 * delete not followed by a directory sync is undone — under {@link Loss#RANDOM}, each such change may also have
 * reached the disk, independently of the others (as on a file system that reorders metadata writes). {@link #afterCrash()} is a process crash: the page cache survives.
 * {@link #losePowerAfter(int)} makes the power go out just before the n-th later operation that changes anything
 * (that operation and every one after it fail), so a crash can land inside a roll, a merge or a hint write.
 */
final class FaultInjectingStorage implements Storage {

    /** What happens to the bytes written since a file's last force. */
    enum Loss { DROP, RANDOM }

    private static final int SECTOR = 512;

    private static final class Inode {
        byte[] cache;
        int size;
        byte[] disk;

        Inode(byte[] cache, int size, byte[] disk) {
            this.cache = cache;
            this.size = size;
            this.disk = disk;
        }
    }

    private final Random random;
    private final Loss loss;
    private final Map<Path, Inode> names;
    private final Map<Path, Inode> durableNames;
    private final List<Path> forced = new ArrayList<>();
    /** Directory changes not yet synced, in order: each maps names to an inode, or (null) removes them. */
    private final List<Map<Path, Inode>> unsynced = new ArrayList<>();
    private boolean dead;
    private long stepsLeft = Long.MAX_VALUE;

    FaultInjectingStorage(Random random, Loss loss) {
        this(random, loss, new HashMap<>(), new HashMap<>());
    }

    private FaultInjectingStorage(Random random, Loss loss, Map<Path, Inode> names, Map<Path, Inode> durableNames) {
        this.random = random;
        this.loss = loss;
        this.names = names;
        this.durableNames = durableNames;
    }

    /** The power goes out just before the {@code n}-th next operation that changes anything (0: the next one). */
    synchronized void losePowerAfter(int n) {
        stepsLeft = n;
    }

    synchronized boolean powerLost() {
        return dead;
    }

    /** Every file forced so far, in order (a file once per force). */
    synchronized List<Path> forced() {
        return List.copyOf(forced);
    }

    /** The machine after a power loss: only what was forced is certain, see the class comment. */
    synchronized FaultInjectingStorage afterPowerLoss() {
        dead = true;
        Map<Path, Inode> names = new HashMap<>(durableNames);
        if (loss == Loss.RANDOM) { // some unsynced changes reached the disk anyway, in any order, each atomically
            for (Map<Path, Inode> change : unsynced) {
                if (random.nextBoolean()) {
                    change.forEach((path, inode) -> {
                        if (inode == null) {
                            names.remove(path);
                        } else {
                            names.put(path, inode);
                        }
                    });
                }
            }
        }
        Map<Inode, Inode> rebooted = new IdentityHashMap<>();
        Map<Path, Inode> after = new HashMap<>();
        names.forEach((path, inode) -> after.put(path, rebooted.computeIfAbsent(inode, this::reboot)));
        return new FaultInjectingStorage(random, loss, after, new HashMap<>(after));
    }

    /** The machine after the process died (kill -9): the page cache, names included, survives. */
    synchronized FaultInjectingStorage afterCrash() {
        dead = true;
        Map<Inode, Inode> copies = new IdentityHashMap<>();
        Map<Path, Inode> after = new HashMap<>();
        names.forEach((path, inode) -> after.put(path, copies.computeIfAbsent(inode, i -> {
            byte[] content = Arrays.copyOf(i.cache, i.size);
            return new Inode(content, content.length, content.clone());
        })));
        return new FaultInjectingStorage(random, loss, after, new HashMap<>(after));
    }

    private Inode reboot(Inode i) {
        int size = i.size == i.disk.length || loss == Loss.DROP || random.nextBoolean() ? i.disk.length : i.size;
        byte[] content = new byte[size];
        for (int sector = 0; sector < size; sector += SECTOR) {
            int fate = loss == Loss.DROP ? 0 : random.nextInt(3); // one fate per sector, as a disk writes them
            for (int b = sector; b < Math.min(size, sector + SECTOR); b++) {
                byte durable = at(i.disk, i.disk.length, b);
                byte written = at(i.cache, i.size, b);
                content[b] = durable == written ? durable : switch (fate) {
                    case 0 -> durable; // dropped
                    case 1 -> written; // written back before the power went
                    default -> (byte) random.nextInt(256); // torn: garbage
                };
            }
        }
        return new Inode(content, size, content.clone());
    }

    private static byte at(byte[] bytes, int size, int index) {
        return index < size && index < bytes.length ? bytes[index] : 0;
    }

    /** Fails once the power is out; counts down to the power loss for operations that change something. */
    private static final boolean TRACE = Boolean.getBoolean("powerloss.trace");

    private void step(String what) {
        if (TRACE) {
            System.out.println("  storage " + System.identityHashCode(this) + ": " + what + (dead ? " (dead)" : ""));
        }
        if (dead) {
            throw new UncheckedIOException(new IOException("power lost; cannot " + what));
        }
        if (stepsLeft-- == 0) {
            dead = true;
            throw new UncheckedIOException(new IOException("power lost before " + what));
        }
    }

    private void alive(String what) {
        if (dead) {
            throw new UncheckedIOException(new IOException("power lost; cannot " + what));
        }
    }

    private Inode inode(Path file) {
        Inode i = names.get(file);
        if (i == null) {
            throw new UncheckedIOException(new java.nio.file.NoSuchFileException(file.toString()));
        }
        return i;
    }

    @Override
    public void createDirectories(Path dir) {
        // directories are always there
    }

    @Override
    public synchronized List<String> list(Path dir) {
        alive("list " + dir);
        return names.keySet().stream().filter(p -> dir.equals(p.getParent())).map(p -> p.getFileName().toString())
                .toList();
    }

    @Override
    public synchronized boolean exists(Path file) {
        alive("stat " + file);
        return names.containsKey(file);
    }

    @Override
    public synchronized long size(Path file) {
        alive("stat " + file);
        return inode(file).size;
    }

    @Override
    public synchronized MappedFile create(Path file, int capacity) {
        step("create " + file);
        if (names.containsKey(file)) {
            throw new UncheckedIOException(new java.nio.file.FileAlreadyExistsException(file.toString()));
        }
        Inode i = new Inode(new byte[capacity], capacity, new byte[0]);
        names.put(file, i);
        unsynced.add(Map.of(file, i));
        return new Mapping(file, i, ByteBuffer.wrap(i.cache, 0, capacity).slice());
    }

    @Override
    public synchronized MappedFile open(Path file, int capacity, boolean writable) {
        alive("open " + file);
        Inode i = inode(file);
        if (writable && capacity > i.size) {
            i.cache = Arrays.copyOf(i.cache, capacity);
            i.size = capacity;
        }
        int size = writable ? Math.max(capacity, i.size) : i.size;
        ByteBuffer map = ByteBuffer.wrap(i.cache, 0, size).slice();
        return new Mapping(file, i, writable ? map : map.asReadOnlyBuffer());
    }

    @Override
    public synchronized byte[] readAll(Path file) {
        alive("read " + file);
        Inode i = inode(file);
        return Arrays.copyOf(i.cache, i.size);
    }

    @Override
    public synchronized void write(Path file, byte[] content) {
        step("write " + file);
        Inode i = names.computeIfAbsent(file, p -> {
            Inode created = new Inode(new byte[0], 0, new byte[0]);
            unsynced.add(Map.of(p, created));
            return created;
        });
        i.cache = content.clone();
        i.size = content.length;
        i.disk = content.clone();
        forced.add(file);
    }

    @Override
    public synchronized void rename(Path from, Path to) {
        step("rename " + from);
        Inode i = inode(from);
        names.put(to, i);
        names.remove(from);
        Map<Path, Inode> change = new HashMap<>();
        change.put(to, i);
        change.put(from, null);
        unsynced.add(change);
    }

    @Override
    public synchronized void delete(Path file) {
        step("delete " + file);
        if (names.remove(file) != null) {
            Map<Path, Inode> change = new HashMap<>();
            change.put(file, null);
            unsynced.add(change);
        }
    }

    @Override
    public synchronized void syncDirectory(Path dir) {
        step("sync " + dir);
        unsynced.removeIf(change -> change.keySet().stream().allMatch(p -> dir.equals(p.getParent())));
        durableNames.keySet().removeIf(p -> dir.equals(p.getParent()));
        names.forEach((p, i) -> {
            if (dir.equals(p.getParent())) {
                durableNames.put(p, i);
            }
        });
    }

    private final class Mapping implements MappedFile {
        private final Path file;
        private final Inode inode;
        private final ByteBuffer map;

        Mapping(Path file, Inode inode, ByteBuffer map) {
            this.file = file;
            this.inode = inode;
            this.map = map;
        }

        @Override
        public ByteBuffer buffer() {
            return map;
        }

        @Override
        public void write(int offset, ByteBuffer bytes) {
            synchronized (FaultInjectingStorage.this) {
                alive("write " + file); // into the page cache, as a write through the mapping
                map.put(offset, bytes, bytes.position(), bytes.remaining());
                bytes.position(bytes.limit());
            }
        }

        @Override
        public void force() {
            synchronized (FaultInjectingStorage.this) {
                step("force " + file);
                inode.disk = Arrays.copyOf(inode.cache, inode.size);
                forced.add(file);
            }
        }

        @Override
        public void truncate(int size) {
            synchronized (FaultInjectingStorage.this) {
                step("truncate " + file);
                Arrays.fill(inode.cache, Math.min(size, inode.cache.length), inode.cache.length, (byte) 0);
                inode.size = size;
            }
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
