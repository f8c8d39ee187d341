package org.functorrent.metainfo;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.common.TorrentException;

/**
 * Creates a v1 {@code .torrent} from a file or a directory. Immutable: each setter returns a new
 * creator. Pieces are hashed in parallel on every core.
 *
 * <pre>{@code
 * byte[] torrent = TorrentCreator.of(Path.of("photos"))
 *     .tracker("http://tracker.example/announce")
 *     .create();
 * }</pre>
 *
 * <p>A directory becomes a multi-file torrent of its regular files (links to files are followed,
 * links to directories are not), in the order of their paths; a file becomes a single-file torrent.
 */
public final class TorrentCreator {
  /** The smallest piece length {@link #pieceLength} accepts: one block. */
  public static final int MIN_PIECE_LENGTH = 16 * 1024;

  /** The largest piece length {@link #pieceLength} accepts. */
  public static final int MAX_PIECE_LENGTH = 64 * 1024 * 1024;

  private static final int TARGET_PIECE_COUNT = 2048;
  private static final int MAX_AUTO_PIECE_LENGTH = 16 * 1024 * 1024;

  private final Path source;
  private final ImmutableList<ImmutableList<String>> trackerTiers;
  private final ImmutableList<String> webSeeds;
  private final int pieceLength;
  private final boolean isPrivate;
  private final Optional<String> comment;
  private final Optional<String> createdBy;
  private final Optional<Instant> creationDate;

  private TorrentCreator(
      Path source,
      ImmutableList<ImmutableList<String>> trackerTiers,
      ImmutableList<String> webSeeds,
      int pieceLength,
      boolean isPrivate,
      Optional<String> comment,
      Optional<String> createdBy,
      Optional<Instant> creationDate) {
    this.source = source;
    this.trackerTiers = trackerTiers;
    this.webSeeds = webSeeds;
    this.pieceLength = pieceLength;
    this.isPrivate = isPrivate;
    this.comment = comment;
    this.createdBy = createdBy;
    this.creationDate = creationDate;
  }

  /** A creator for {@code source}, a file or a directory, with an automatic piece length. */
  public static TorrentCreator of(Path source) {
    return new TorrentCreator(
        source,
        ImmutableList.of(),
        ImmutableList.of(),
        0,
        false,
        Optional.empty(),
        Optional.of("FuncTorrent"),
        Optional.empty());
  }

  /** Adds a tier with one tracker (BEP 12); the first tracker added is also {@code announce}. */
  public TorrentCreator tracker(String url) {
    return trackerTier(List.of(url));
  }

  /** Adds a tier of trackers that a client tries in random order (BEP 12). */
  public TorrentCreator trackerTier(List<String> urls) {
    checkArgument(!urls.isEmpty(), "tracker tier: empty (expected: at least one URL)");
    for (String url : urls) {
      checkArgument(!url.isBlank(), "tracker URL: \"%s\" (expected: a URL)", url);
    }
    return new TorrentCreator(
        source,
        ImmutableList.<ImmutableList<String>>builder()
            .addAll(trackerTiers)
            .add(ImmutableList.copyOf(urls))
            .build(),
        webSeeds,
        pieceLength,
        isPrivate,
        comment,
        createdBy,
        creationDate);
  }

  /** Adds a web seed ({@code url-list}, BEP 19). */
  public TorrentCreator webSeed(String url) {
    checkArgument(!url.isBlank(), "web seed URL: \"%s\" (expected: a URL)", url);
    return new TorrentCreator(
        source,
        trackerTiers,
        ImmutableList.<String>builder().addAll(webSeeds).add(url).build(),
        pieceLength,
        isPrivate,
        comment,
        createdBy,
        creationDate);
  }

  /** A fixed piece length: a power of two from 16 KiB to 64 MiB. */
  public TorrentCreator pieceLength(int pieceLength) {
    checkArgument(
        pieceLength >= MIN_PIECE_LENGTH
            && pieceLength <= MAX_PIECE_LENGTH
            && Integer.bitCount(pieceLength) == 1,
        "piece length: %s (expected: a power of two from %s to %s)",
        pieceLength,
        MIN_PIECE_LENGTH,
        MAX_PIECE_LENGTH);
    return new TorrentCreator(
        source, trackerTiers, webSeeds, pieceLength, isPrivate, comment, createdBy, creationDate);
  }

  /** Sets the private flag (BEP 27): peers come from the trackers only. */
  public TorrentCreator privateTorrent(boolean isPrivate) {
    return new TorrentCreator(
        source, trackerTiers, webSeeds, pieceLength, isPrivate, comment, createdBy, creationDate);
  }

  public TorrentCreator comment(String comment) {
    return new TorrentCreator(
        source,
        trackerTiers,
        webSeeds,
        pieceLength,
        isPrivate,
        Optional.of(comment),
        createdBy,
        creationDate);
  }

  /** The {@code created by} text; "FuncTorrent" unless set. */
  public TorrentCreator createdBy(String createdBy) {
    return new TorrentCreator(
        source,
        trackerTiers,
        webSeeds,
        pieceLength,
        isPrivate,
        comment,
        Optional.of(createdBy),
        creationDate);
  }

  /** The creation date; none unless set, so the same data gives the same file. */
  public TorrentCreator creationDate(Instant creationDate) {
    return new TorrentCreator(
        source,
        trackerTiers,
        webSeeds,
        pieceLength,
        isPrivate,
        comment,
        createdBy,
        Optional.of(creationDate));
  }

  /** The piece length {@link #create} picks for {@code totalLength} bytes when none is set. */
  public static int automaticPieceLength(long totalLength) {
    int length = MIN_PIECE_LENGTH;
    while (length < MAX_AUTO_PIECE_LENGTH && (totalLength + length - 1) / length > TARGET_PIECE_COUNT) {
      length *= 2;
    }
    return length;
  }

  /**
   * Reads and hashes the data and returns the encoded torrent.
   *
   * @throws TorrentException if the source is missing or empty
   * @throws InvalidTorrentException if a file has a name no torrent may carry
   * @throws UncheckedIOException if reading fails
   */
  public byte[] create() {
    byte[] torrent = Bencode.encode(createDictionary());
    // Never hand out a torrent that we (and so, likely, other clients) would refuse to open,
    // such as one of a file whose name holds a backslash.
    MetaInfo.parse(torrent);
    return torrent;
  }

  /** Like {@link #create()}, as a dictionary. */
  public BencodeDictionary createDictionary() {
    if (!Files.exists(source)) {
      throw new TorrentException("cannot create a torrent of " + source + ": no such file or directory");
    }
    Path absolute = source.toAbsolutePath().normalize();
    Path fileName = absolute.getFileName();
    if (fileName == null) {
      throw new TorrentException("cannot create a torrent of " + source + ": it has no name");
    }
    String name = fileName.toString();
    boolean directory = Files.isDirectory(absolute);
    List<SourceFile> files = directory ? listFiles(absolute) : List.of(singleFile(absolute));
    long total = files.stream().mapToLong(SourceFile::length).sum();
    if (total == 0) {
      throw new TorrentException(
          "cannot create a torrent of " + source + ": it holds no data (expected: at least one byte)");
    }
    int length = pieceLength != 0 ? pieceLength : automaticPieceLength(total);
    byte[] pieces = PieceHasher.hash(files, length, total);

    BencodeDictionary.Builder info =
        BencodeDictionary.builder()
            .put("name", name)
            .put("piece length", length)
            .put("pieces", BencodeString.of(pieces));
    if (directory) {
      List<BencodeValue> entries = new ArrayList<>();
      for (SourceFile file : files) {
        List<BencodeValue> path = new ArrayList<>();
        for (String segment : file.segments()) {
          path.add(BencodeString.of(segment));
        }
        entries.add(
            BencodeDictionary.builder()
                .put("length", file.length())
                .put("path", BencodeList.of(path))
                .build());
      }
      info.put("files", BencodeList.of(entries));
    } else {
      info.put("length", total);
    }
    if (isPrivate) {
      info.put("private", 1);
    }

    BencodeDictionary.Builder torrent = BencodeDictionary.builder().put("info", info.build());
    if (!trackerTiers.isEmpty()) {
      torrent.put("announce", trackerTiers.get(0).get(0));
      if (trackerTiers.size() > 1 || trackerTiers.get(0).size() > 1) {
        List<BencodeValue> tiers = new ArrayList<>();
        for (List<String> tier : trackerTiers) {
          tiers.add(BencodeList.of(tier.stream().map(BencodeString::of).toList()));
        }
        torrent.put("announce-list", BencodeList.of(tiers));
      }
    }
    if (!webSeeds.isEmpty()) {
      torrent.put("url-list", BencodeList.of(webSeeds.stream().map(BencodeString::of).toList()));
    }
    comment.ifPresent(c -> torrent.put("comment", c));
    createdBy.ifPresent(c -> torrent.put("created by", c));
    creationDate.ifPresent(d -> torrent.put("creation date", d.getEpochSecond()));
    return torrent.build();
  }

  private static SourceFile singleFile(Path file) {
    try {
      return new SourceFile(file, ImmutableList.of(), Files.size(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static List<SourceFile> listFiles(Path directory) {
    try (Stream<Path> walk = Files.walk(directory)) {
      return walk.filter(Files::isRegularFile)
          .map(
              file -> {
                ImmutableList.Builder<String> segments = ImmutableList.builder();
                for (Path segment : directory.relativize(file)) {
                  segments.add(segment.toString());
                }
                try {
                  return new SourceFile(file, segments.build(), Files.size(file));
                } catch (IOException e) {
                  throw new UncheckedIOException("cannot read " + file, e);
                }
              })
          .sorted(Comparator.comparing(f -> String.join("/", f.segments())))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory, e);
    }
  }

  /** A file to hash: where it is, its path inside the torrent and its length. */
  record SourceFile(Path file, ImmutableList<String> segments, long length) {}
}
