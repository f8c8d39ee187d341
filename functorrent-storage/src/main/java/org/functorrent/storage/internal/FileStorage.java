package org.functorrent.storage.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentFile;
import org.functorrent.storage.FilePriority;
import org.functorrent.storage.PieceSet;
import org.functorrent.storage.StorageException;
import org.functorrent.storage.StorageOptions;
import org.functorrent.storage.VerifyListener;
import org.functorrent.storage.internal.FileLayout.Span;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A torrent's files in a download directory, written and read with positional {@link FileChannel}
 * I/O through a bounded cache of open files.
 *
 * <p>Files are sparse unless preallocation is asked for; padding files are never written (their
 * bytes read as zeros); skipped files are not created, and their bytes in boundary pieces go to a
 * hidden part file. Every path is checked when it is opened: a symbolic link that leads out of the
 * download directory is not followed.
 */
public final class FileStorage extends AbstractStorage {
  private static final Logger log = LoggerFactory.getLogger(FileStorage.class);

  /** The hidden directory, inside the download directory, for part and resume files. */
  public static final String HIDDEN_DIRECTORY = ".functorrent";

  private static final int MAX_RESUME_BYTES = 64 * 1024 * 1024;
  private static final int ZEROS = 1024 * 1024;

  /** Opens a file; tests replace it to inject faults. */
  @FunctionalInterface
  public interface ChannelFactory {
    ChannelFactory DEFAULT =
        (path, write) ->
            write
                ? FileChannel.open(
                    path,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.CREATE)
                : FileChannel.open(path, StandardOpenOption.READ);

    FileChannel open(Path path, boolean write) throws IOException;
  }

  private final Path root;
  private final FileLayout layout;
  private final ImmutableList<TorrentFile> files;
  private final int partKey;
  private final ImmutableList<String> partSegments;
  private final HandleCache handles;
  private final ChannelFactory channels;
  private final boolean preallocate;
  private final Path resumeFile;
  private final Set<Integer> dirty = ConcurrentHashMap.newKeySet();
  private final Object persistLock = new Object();
  private volatile ImmutableList<FilePriority> priorities;
  private final Optional<String> bootId = BootId.current();

  /**
   * Opens the storage of {@code meta} in {@code directory}, which is created if missing; wanted
   * empty files and BEP 47 symlinks are created now, other files when first written.
   *
   * @param ownedExecutor {@code executor} again if the storage owns it, otherwise null
   * @throws StorageException if the directory or an empty file cannot be created
   */
  public FileStorage(
      MetaInfo meta,
      Path directory,
      Executor executor,
      ExecutorService ownedExecutor,
      StorageOptions options,
      ChannelFactory channels) {
    this(meta, directory, executor, ownedExecutor, options, channels, DEFAULT_HELD_BUDGET);
  }

  /**
   * As {@link #FileStorage(MetaInfo, Path, Executor, ExecutorService, StorageOptions,
   * ChannelFactory)}, with {@code heldBudget} bytes for the blocks written out of order that wait
   * to be hashed in order (all pieces together; 0 holds none and reads such pieces back).
   */
  public FileStorage(
      MetaInfo meta,
      Path directory,
      Executor executor,
      ExecutorService ownedExecutor,
      StorageOptions options,
      ChannelFactory channels,
      long heldBudget) {
    super(meta, executor, ownedExecutor, options.hashParallelism(), heldBudget);
    this.files = meta.files();
    checkArgument(
        options.priorities().isEmpty() || options.priorities().size() == files.size(),
        "priorities: %s (expected: none or one per file, %s)",
        options.priorities().size(),
        files.size());
    try {
      Files.createDirectories(directory);
      this.root = directory.toRealPath();
    } catch (IOException e) {
      throw new StorageException("cannot create the download directory", directory, e);
    }
    this.layout = new FileLayout(meta);
    this.partKey = files.size();
    String hex = meta.infoHash().toHex();
    this.partSegments = ImmutableList.of(HIDDEN_DIRECTORY, hex + ".parts");
    this.channels = channels;
    this.preallocate = options.preallocate();
    this.handles = new HandleCache(options.maxOpenFiles(), this::openChannel);
    this.priorities =
        options.priorities().isEmpty()
            ? ImmutableList.copyOf(Collections.nCopies(files.size(), FilePriority.NORMAL))
            : options.priorities();
    this.resumeFile =
        options.fastResume()
            ? options.resumeFile().orElse(root.resolve(HIDDEN_DIRECTORY).resolve(hex + ".resume"))
            : null;
    for (int i = 0; i < files.size(); i++) {
      if (priorities.get(i).isWanted()) {
        createIfEmpty(i);
      }
    }
  }

  /** The download directory, symbolic links resolved. */
  public Path root() {
    return root;
  }

  /** The number of files open now; for tests. */
  public int openFiles() {
    return handles.openCount();
  }

  @Override
  public ImmutableList<FilePriority> priorities() {
    return priorities;
  }

  // ---- moving bytes

  @Override
  protected void read(int piece, int offset, ByteBuffer dst) throws IOException {
    ImmutableList<FilePriority> levels = priorities;
    boolean boundary = layout.partSlot(piece) >= 0;
    for (Span span : layout.spans(layout.pieceStart(piece) + offset, dst.remaining())) {
      ByteBuffer run = dst.slice(dst.position(), span.length());
      TorrentFile file = files.get(span.file());
      if (file.isPadding()) {
        zero(run);
      } else if (!levels.get(span.file()).isWanted() && boundary) {
        readAt(partKey, layout.partOffset(piece, span.torrentOffset()), run);
      } else {
        readAt(span.file(), span.fileOffset(), run);
      }
      dst.position(dst.position() + span.length());
    }
  }

  @Override
  protected void write(int piece, int offset, ByteBuffer src) throws IOException {
    ImmutableList<FilePriority> levels = priorities;
    boolean boundary = layout.partSlot(piece) >= 0;
    List<Span> spans = layout.spans(layout.pieceStart(piece) + offset, src.remaining());
    for (Span span : spans) {
      if (!files.get(span.file()).isPadding() && !levels.get(span.file()).isWanted() && !boundary) {
        throw new IllegalStateException(
            "piece "
                + piece
                + ": a block of skipped file "
                + files.get(span.file()).pathString()
                + " (expected: a piece of a wanted file)");
      }
    }
    for (Span span : spans) {
      ByteBuffer run = src.slice(src.position(), span.length());
      src.position(src.position() + span.length());
      if (files.get(span.file()).isPadding()) {
        continue;
      }
      if (levels.get(span.file()).isWanted()) {
        writeAt(span.file(), span.fileOffset(), run);
      } else {
        writeAt(partKey, layout.partOffset(piece, span.torrentOffset()), run);
      }
    }
  }

  @Override
  protected boolean mayHaveData(int piece) throws IOException {
    ImmutableList<FilePriority> levels = priorities;
    boolean boundary = layout.partSlot(piece) >= 0;
    for (Span span : layout.pieceSpans(piece)) {
      if (files.get(span.file()).isPadding()) {
        continue;
      }
      boolean inPart = !levels.get(span.file()).isWanted() && boundary;
      long end =
          inPart
              ? layout.partOffset(piece, span.torrentOffset()) + span.length()
              : span.fileOffset() + span.length();
      if (stamp(inPart ? partKey : span.file()).size() < end) {
        return false;
      }
    }
    return true;
  }

  private void readAt(int key, long position, ByteBuffer dst) throws IOException {
    HandleCache.Handle handle;
    try {
      handle = handles.acquire(key, false);
    } catch (NoSuchFileException e) {
      zero(dst);
      return;
    } catch (IOException e) {
      throw failure("cannot open", key, e);
    }
    try {
      long at = position;
      while (dst.hasRemaining()) {
        int n = handle.channel().read(dst, at);
        if (n < 0) {
          zero(dst);
          break;
        }
        at += n;
      }
    } catch (IOException e) {
      handles.invalidate(key);
      throw failure("cannot read", key, e);
    } finally {
      handles.release(handle);
    }
  }

  private void writeAt(int key, long position, ByteBuffer src) throws IOException {
    HandleCache.Handle handle;
    try {
      handle = handles.acquire(key, true);
    } catch (IOException e) {
      throw failure("cannot open for writing", key, e);
    }
    try {
      dirty.add(key);
      long at = position;
      while (src.hasRemaining()) {
        at += handle.channel().write(src, at);
      }
    } catch (IOException e) {
      handles.invalidate(key);
      throw failure("cannot write", key, e);
    } finally {
      handles.release(handle);
    }
  }

  private static void zero(ByteBuffer buffer) {
    while (buffer.hasRemaining()) {
      buffer.put((byte) 0);
    }
  }

  // ---- paths

  private ImmutableList<String> segments(int key) {
    return key == partKey ? partSegments : files.get(key).path();
  }

  /** The plain path of file {@code key}, for messages. */
  private Path pathOf(int key) {
    Path path = root;
    for (String segment : segments(key)) {
      path = path.resolve(segment);
    }
    return path;
  }

  private StorageException failure(String what, int key, IOException cause) {
    return new StorageException(what, pathOf(key), cause);
  }

  /**
   * The path of file {@code key}, after checking that no symbolic link on the way leads out of the
   * download directory; missing parent directories are created if asked.
   */
  private Path checkedPath(int key, boolean createParents) throws IOException {
    ImmutableList<String> segments = segments(key);
    Path current = root;
    for (int i = 0; i < segments.size(); i++) {
      Path next = current.resolve(segments.get(i));
      BasicFileAttributes attributes;
      try {
        attributes =
            Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        attributes = null;
      }
      boolean last = i == segments.size() - 1;
      if (attributes == null && !last) {
        if (!createParents) {
          return pathOf(key);
        }
        try {
          Files.createDirectory(next);
        } catch (FileAlreadyExistsException e) {
          // made by another thread meanwhile: checked on the next turn
          i--;
          continue;
        }
      } else if (attributes != null && attributes.isSymbolicLink()) {
        Path target;
        try {
          target = next.toRealPath();
        } catch (NoSuchFileException e) {
          throw new StorageException("dangling symbolic link in the download directory", next);
        }
        if (!target.startsWith(root)) {
          throw new StorageException(
              "symbolic link leads out of the download directory " + root + " to " + target, next);
        }
      }
      current = next;
    }
    return current;
  }

  private FileChannel openChannel(int key, boolean write) throws IOException {
    FileChannel channel = channels.open(checkedPath(key, write), write);
    if (write && preallocate && key != partKey) {
      try {
        long length = files.get(key).length();
        long at = channel.size();
        ByteBuffer zeros = ByteBuffer.allocate(ZEROS);
        while (at < length) {
          zeros.clear().limit((int) Math.min(ZEROS, length - at));
          while (zeros.hasRemaining()) {
            at += channel.write(zeros, at);
          }
        }
      } catch (IOException e) {
        channel.close();
        throw e;
      }
    }
    return channel;
  }

  private FileStamp stamp(int key) throws IOException {
    try {
      return FileStamp.of(checkedPath(key, false));
    } catch (StorageException e) {
      log.warn("{}", e.getMessage());
      return FileStamp.MISSING;
    } catch (IOException e) {
      throw failure("cannot read the attributes of", key, e);
    }
  }

  /**
   * Creates file {@code key} if it holds no bytes: an empty file, or for a BEP 47 symlink a
   * relative symbolic link to its target below the torrent's directory. What exists is kept.
   */
  private void createIfEmpty(int key) {
    TorrentFile file = files.get(key);
    if (file.length() != 0 || file.isPadding()) {
      return;
    }
    try {
      Path path = checkedPath(key, true);
      if (file.isSymlink()) {
        Path target = root.resolve(meta.name());
        for (String segment : file.symlinkPath().orElseThrow()) {
          target = target.resolve(segment);
        }
        Files.createSymbolicLink(path, path.getParent().relativize(target));
      } else {
        Files.createFile(path);
      }
    } catch (FileAlreadyExistsException e) {
      // kept as it is
    } catch (IOException e) {
      throw failure("cannot create", key, e);
    }
  }

  // ---- file selection

  @Override
  public CompletableFuture<Void> setPriority(int fileIndex, FilePriority priority) {
    checkElementIndex(fileIndex, files.size(), "fileIndex");
    return submitExclusive(
        () -> {
          FilePriority before = priorities.get(fileIndex);
          TorrentFile file = files.get(fileIndex);
          if (before.isWanted() != priority.isWanted() && file.length() > 0 && !file.isPadding()) {
            movePartBytes(fileIndex, priority.isWanted());
            // Unverified bytes of boundary pieces stay where they were written, so what those
            // pieces read from now may differ from what was hashed or held as they were written.
            forgetRunningHashes();
          }
          List<FilePriority> changed = new ArrayList<>(priorities);
          changed.set(fileIndex, priority);
          priorities = ImmutableList.copyOf(changed);
          if (priority.isWanted()) {
            createIfEmpty(fileIndex);
          }
          return null;
        });
  }

  /**
   * Copies the bytes of file {@code index} in its verified boundary pieces from the part file to
   * the file ({@code toFile}) or back. Unverified bytes are not copied: they may be incomplete and
   * must not overwrite good ones; those pieces are downloaded again.
   */
  private void movePartBytes(int index, boolean toFile) throws IOException {
    int first = layout.firstPiece(index);
    int last = layout.lastPiece(index);
    for (int piece = first; piece <= last; piece = piece == last ? last + 1 : last) {
      if (layout.partSlot(piece) < 0 || !isVerified(piece)) {
        continue;
      }
      for (Span span : layout.pieceSpans(piece)) {
        if (span.file() != index) {
          continue;
        }
        ByteBuffer bytes = ByteBuffer.allocate(span.length());
        long partAt = layout.partOffset(piece, span.torrentOffset());
        if (toFile) {
          readAt(partKey, partAt, bytes);
          writeAt(index, span.fileOffset(), bytes.flip());
        } else {
          readAt(index, span.fileOffset(), bytes);
          writeAt(partKey, partAt, bytes.flip());
        }
      }
    }
  }

  // ---- fast resume

  @Override
  protected boolean recordsVerifiedOnClose() {
    return resumeFile != null;
  }

  /**
   * A flush syncs the files written since the last one, then records the verified pieces. The
   * last one, on close, syncs nothing where the system names its boot: the record says which boot
   * wrote it and is trusted until the machine restarts, after which its pieces are hashed again
   * (see {@link ResumeData}). A download that ends then does not wait for all its data to reach
   * the disk, which for a gigabyte here takes about two seconds.
   */
  @Override
  protected void persist(PieceSet verified, boolean closing) throws IOException {
    if (closing && resumeFile == null) {
      return; // nothing to record: closing the files is enough
    }
    Optional<String> unsyncedBoot = closing ? bootId : Optional.empty();
    synchronized (persistLock) {
      if (unsyncedBoot.isEmpty()) {
        for (Integer key : List.copyOf(dirty)) {
          dirty.remove(key);
          try {
            force(key);
          } catch (IOException | RuntimeException e) {
            dirty.add(key);
            throw e;
          }
        }
      }
      if (resumeFile != null) {
        writeResume(verified, unsyncedBoot);
      }
    }
  }

  private void force(int key) throws IOException {
    HandleCache.Handle handle;
    try {
      handle = handles.acquire(key, false);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw failure("cannot open", key, e);
    }
    try {
      handle.channel().force(true);
    } catch (IOException e) {
      throw failure("cannot sync", key, e);
    } finally {
      handles.release(handle);
    }
  }

  private ResumeData currentRecord(PieceSet verified, Optional<String> unsyncedBoot)
      throws IOException {
    ImmutableList.Builder<FileStamp> stamps = ImmutableList.builder();
    for (int i = 0; i < files.size(); i++) {
      TorrentFile file = files.get(i);
      stamps.add(file.isPadding() || file.length() == 0 ? FileStamp.MISSING : stamp(i));
    }
    return new ResumeData(
        meta.infoHash(), verified, stamps.build(), stamp(partKey), priorities, unsyncedBoot);
  }

  private void writeResume(PieceSet verified, Optional<String> unsyncedBoot) {
    Path directory = resumeFile.toAbsolutePath().getParent();
    Path temporary = directory.resolve(resumeFile.getFileName() + ".tmp");
    try {
      byte[] bytes = currentRecord(verified, unsyncedBoot).encode();
      Files.createDirectories(directory);
      try (FileChannel out =
          FileChannel.open(
              temporary,
              StandardOpenOption.WRITE,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
        out.force(true);
      }
      Files.move(
          temporary,
          resumeFile,
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException e) {
        log.debug("cannot sync directory {}: {}", directory, e.toString());
      }
    } catch (IOException e) {
      throw new StorageException("cannot write the resume file", resumeFile, e);
    }
  }

  private Optional<ResumeData> readResume() {
    if (resumeFile == null || !Files.isRegularFile(resumeFile)) {
      return Optional.empty();
    }
    try {
      if (Files.size(resumeFile) > MAX_RESUME_BYTES) {
        log.warn("resume file {} too large; ignored", resumeFile);
        return Optional.empty();
      }
      Optional<ResumeData> data = ResumeData.decode(Files.readAllBytes(resumeFile), meta);
      if (data.isEmpty()) {
        log.warn("resume file {} unusable; checking all data", resumeFile);
      }
      return data;
    } catch (IOException e) {
      log.warn("cannot read resume file {}: {}; checking all data", resumeFile, e.toString());
      return Optional.empty();
    }
  }

  /** Pieces to hash and pieces to trust; null when there is no usable record. */
  private record Plan(BitSet candidates, BitSet trusted) {}

  @Override
  public CompletableFuture<PieceSet> checkExisting(VerifyListener listener) {
    return submit(() -> plan().or(this::nothingOnDisk))
        .thenCompose(
            plan ->
                plan.isEmpty()
                    ? verifyAll(listener)
                    : verify(plan.get().candidates(), plan.get().trusted(), listener));
  }

  /**
   * An empty plan when no file of the torrent holds a byte (a new download): nothing to hash,
   * rather than a look at every piece's files, each missing one an exception. Otherwise empty,
   * and everything is checked.
   */
  private Optional<Plan> nothingOnDisk() {
    try {
      for (int key = 0; key <= partKey; key++) {
        if ((key == partKey || !files.get(key).isPadding()) && stamp(key).size() > 0) {
          return Optional.empty();
        }
      }
    } catch (IOException e) {
      return Optional.empty(); // let the full check meet the error
    }
    return Optional.of(new Plan(new BitSet(), new BitSet()));
  }

  private Optional<Plan> plan() throws IOException {
    Optional<ResumeData> record = readResume();
    if (record.isEmpty()) {
      return Optional.empty();
    }
    ResumeData before = record.get();
    // Written unsynced in another boot: what it names may never have reached the disk.
    boolean trustPieces =
        before.unsyncedBoot().isEmpty() || before.unsyncedBoot().equals(bootId);
    if (!trustPieces) {
      log.info(
          "resume file of {} written unsynced before the system restarted: checking its pieces",
          meta.name());
    } else if (before.unsyncedBoot().isPresent()) {
      // The next synced record vouches for data of the last run too: sync those files first.
      for (int key = 0; key < partKey; key++) {
        TorrentFile file = files.get(key);
        if (!file.isPadding() && !file.isSymlink() && file.length() > 0) {
          dirty.add(key);
        }
      }
      dirty.add(partKey);
    }
    ImmutableList<FilePriority> levels = priorities;
    boolean[] changed = new boolean[files.size()];
    for (int i = 0; i < files.size(); i++) {
      TorrentFile file = files.get(i);
      changed[i] =
          !file.isPadding()
              && file.length() > 0
              && (!stamp(i).equals(before.files().get(i))
                  || levels.get(i).isWanted() != before.priorities().get(i).isWanted());
    }
    boolean partChanged = !stamp(partKey).equals(before.partFile());
    BitSet candidates = new BitSet();
    BitSet trusted = new BitSet();
    for (int piece = 0; piece < meta.pieceCount(); piece++) {
      boolean touched = false;
      boolean boundary = layout.partSlot(piece) >= 0;
      for (Span span : layout.pieceSpans(piece)) {
        boolean inPart =
            boundary && !files.get(span.file()).isPadding() && !levels.get(span.file()).isWanted();
        touched |= changed[span.file()] || (inPart && partChanged);
      }
      if (touched || (!trustPieces && before.pieces().contains(piece))) {
        candidates.set(piece);
      } else if (before.pieces().contains(piece)) {
        trusted.set(piece);
      }
    }
    log.debug(
        "resume of {}: {} pieces trusted, {} to hash",
        meta.name(),
        trusted.cardinality(),
        candidates.cardinality());
    return Optional.of(new Plan(candidates, trusted));
  }

  @Override
  protected void release() {
    handles.closeAll();
  }
}
