package io.topaz.model.testing;

import io.topaz.model.storage.FileOperations;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link FileOperations} on the real disk that remember what a power loss would keep (as RocksDB's
 * {@code FaultInjectionTestEnv} does): a file's bytes only as of its last {@link #force}, a directory entry (creation,
 * rename) only as of its directory's last {@link #forceDirectory}. {@link #losePower()} rewrites the files it touched to
 * that state, so the code under test then reads, from real files, what would be there after the power came back.
 * Files present before it touched them count as durable. Calls are recorded ({@link #calls()}). Shared by the
 * modules' tests through shared-model's test-jar.
 */
public final class PowerLossFileOperations implements FileOperations {

    /** One file's content: what is written now, and what was forced. A new file is empty after a power loss. */
    private static final class Inode {
        byte[] written;
        byte[] forced;

        Inode(byte[] written, byte[] forced) {
            this.written = written;
            this.forced = forced;
        }
    }

    private final FileOperations disk = FileOperations.real();
    private final Map<Path, Inode> entries = new HashMap<>();
    private final Map<Path, Inode> durableEntries = new HashMap<>();
    private final Set<Path> touched = new HashSet<>();
    private final List<String> calls = new ArrayList<>();

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        calls.add("createDirectories " + dir.getFileName());
        disk.createDirectories(dir);
    }

    @Override
    public synchronized void write(Path file, byte[] content) throws IOException {
        calls.add("write " + file.getFileName());
        Path p = adopt(file);
        disk.write(p, content);
        Inode inode = entries.get(p);
        if (inode == null) {
            entries.put(p, new Inode(content.clone(), new byte[0]));
        } else {
            inode.written = content.clone(); // truncate and write the same file: the forced bytes stay until a force
        }
    }

    @Override
    public synchronized void force(Path file) throws IOException {
        calls.add("force " + file.getFileName());
        Path p = adopt(file);
        disk.force(p);
        Inode inode = entries.get(p);
        if (inode == null) {
            throw new IOException("no such file: " + p);
        }
        inode.forced = inode.written;
    }

    @Override
    public synchronized void rename(Path from, Path to) throws IOException {
        calls.add("rename " + from.getFileName() + " " + to.getFileName());
        Path f = adopt(from);
        Path t = adopt(to);
        disk.rename(f, t);
        Inode inode = entries.remove(f);
        if (inode == null) {
            throw new IOException("no such file: " + f);
        }
        entries.put(t, inode);
    }

    @Override
    public synchronized void forceDirectory(Path dir) throws IOException {
        calls.add("forceDirectory " + dir.getFileName());
        Path d = dir.toAbsolutePath().normalize();
        disk.forceDirectory(d);
        touched.stream().filter(p -> d.equals(p.getParent())).forEach(p -> {
            Inode inode = entries.get(p);
            if (inode == null) {
                durableEntries.remove(p);
            } else {
                durableEntries.put(p, inode);
            }
        });
    }

    /**
     * Cuts the power: every file this object touched is put back on disk as a power loss would leave it (gone if its
     * directory entry was never forced, otherwise with its forced bytes only).
     */
    public synchronized void losePower() throws IOException {
        calls.add("losePower");
        for (Path p : touched) {
            Inode inode = durableEntries.get(p);
            if (inode == null) {
                Files.deleteIfExists(p);
                entries.remove(p);
            } else {
                Files.write(p, inode.forced);
                inode.written = inode.forced;
                entries.put(p, inode);
            }
        }
    }

    /** The calls made so far, one line each ({@code "rename a.tmp a"}), file names only. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** The first time a path is seen, what is on disk there is taken as durable (it predates this object). */
    private Path adopt(Path file) throws IOException {
        Path p = file.toAbsolutePath().normalize();
        if (touched.add(p) && Files.exists(p)) {
            byte[] existing = Files.readAllBytes(p);
            Inode inode = new Inode(existing, existing);
            entries.put(p, inode);
            durableEntries.put(p, inode);
        }
        return p;
    }
}
