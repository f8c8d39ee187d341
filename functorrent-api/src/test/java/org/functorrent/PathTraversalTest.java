package org.functorrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.metainfo.InvalidTorrentException;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentCreator;
import org.functorrent.storage.StorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of torrents whose names try to leave the download directory, and download directories
 * with symbolic links that lead out of them: nothing is ever written outside the directory.
 * Names that could escape ({@code ..}, {@code .}, empty, separators, NUL, Windows drive
 * references, absolute paths) are refused when the torrent is parsed, with the key path; names
 * that are merely odd or reserved on Windows ({@code CON}, {@code aux.txt}) are plain names on
 * this system and stay inside; links out of the directory fail the download.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PathTraversalTest {
  private static final int PIECE = 16 * 1024;

  @TempDir Path jail;
  private final List<TorrentClient> clients = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    Files.createDirectories(jail.resolve("outside"));
    Files.writeString(jail.resolve("victim.txt"), "keep me");
  }

  @AfterEach
  void tearDown() {
    clients.forEach(TorrentClient::close);
  }

  // ------------------------------------------------------------------ refused at parse time

  private static BencodeList path(String... segments) {
    List<BencodeValue> list = new ArrayList<>();
    for (String s : segments) {
      list.add(BencodeString.of(s));
    }
    return BencodeList.of(list);
  }

  /** A multi-file torrent of one 1000-byte file at {@code pathKey}. */
  private static byte[] multiFile(String name, String pathKey, BencodeList path) throws Exception {
    BencodeDictionary.Builder file = BencodeDictionary.builder().put("length", 1000);
    if (!pathKey.equals("path")) {
      file.put("path", path("safe.bin"));
    }
    file.put(pathKey, path);
    return torrent(BencodeDictionary.builder()
        .put("files", BencodeList.of(List.of(file.build())))
        .put("name", name));
  }

  private static byte[] singleFile(String name) throws Exception {
    return torrent(BencodeDictionary.builder().put("length", 1000).put("name", name));
  }

  private static byte[] torrent(BencodeDictionary.Builder info) throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-1").digest(new byte[1000]);
    info.put("piece length", PIECE).put("pieces", BencodeString.of(hash));
    return Bencode.encode(BencodeDictionary.builder().put("info", info.build()).build());
  }

  @Test
  void namesThatCouldEscapeAreRefusedWithTheKeyPath() throws Exception {
    for (String name : new String[] {"..", ".", "", "../evil", "/etc", "C:", "c:\\evil",
        "a\0b", "..\\evil"}) {
      assertRefused(singleFile(name), "info.name");
    }
    String[][] paths = {
      {".."}, {"a", ".."}, {"..", "..", "etc", "passwd"}, {"/etc/passwd"}, {"C:", "x"},
      {"D:evil"}, {"a/b"}, {"a\\..\\b"}, {""}, {"."}, {"x\0"}, {"sub", "/abs"},
    };
    for (String[] p : paths) {
      assertRefused(multiFile("top", "path", path(p)), "info.files[0].path");
      // path.utf-8 is what is used when present, so it is what is checked
      assertRefused(multiFile("top", "path.utf-8", path(p)), "info.files[0].path.utf-8");
    }
    assertRefused(multiFile("..", "path", path("ok.bin")), "info.name");
  }

  private static void assertRefused(byte[] torrent, String keyPath) {
    assertThatThrownBy(() -> MetaInfo.parse(torrent))
        .isInstanceOf(InvalidTorrentException.class)
        .hasMessageContaining(keyPath);
  }

  @Test
  void aBep47SymlinkCannotPointUpwards() throws Exception {
    BencodeDictionary link = BencodeDictionary.builder()
        .put("attr", "l").put("length", 0).put("path", path("link"))
        .put("symlink path", path("..", "..", "victim.txt")).build();
    BencodeDictionary data = BencodeDictionary.builder()
        .put("length", 1000).put("path", path("data.bin")).build();
    byte[] torrent = torrent(BencodeDictionary.builder()
        .put("files", BencodeList.of(List.of(link, data))).put("name", "top"));
    assertRefused(torrent, "info.files[0].symlink path");
  }

  // ------------------------------------------------------------------ downloads on disk

  private TorrentClient client() {
    TorrentClient c = TorrentClient.builder().listenPort(0)
        .bindAddress(InetAddress.getLoopbackAddress()).networkThreads(1).build();
    clients.add(c);
    return c;
  }

  /** Seeds {@code content} (the torrent's top file or directory) from a client of ours. */
  private MetaInfo seed(Path content) throws Exception {
    MetaInfo meta = MetaInfo.parse(TorrentCreator.of(content).pieceLength(PIECE).create());
    client().start(Torrent.of(meta).withOptions(DownloadOptions.defaults()
            .withDirectory(content.getParent()).withSeed(true).withTrackers(false)),
            TorrentListener.NONE)
        .completion().get(1, TimeUnit.MINUTES);
    return meta;
  }

  private Download leech(MetaInfo meta, Path out) {
    TorrentClient seeder = clients.get(0);
    return client().start(Torrent.of(meta).withOptions(DownloadOptions.defaults()
        .withDirectory(out).withTrackers(false).withPeers(List.of(seeder.listenAddress()))),
        TorrentListener.NONE);
  }

  /** Every regular file under {@code root}, relative to it, symbolic links not followed. */
  private static List<String> filesUnder(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted()
          .toList();
    }
  }

  private void assertOutsideUntouched() throws IOException {
    assertThat(filesUnder(jail.resolve("outside"))).isEmpty();
    assertThat(Files.readString(jail.resolve("victim.txt"))).isEqualTo("keep me");
  }

  @Test
  void namesReservedOnWindowsAndOddNamesStayInsideTheDirectory() throws Exception {
    Path content = Files.createDirectories(jail.resolve("seed").resolve("odd names"));
    String[] names = {"CON", "NUL", "aux.txt", "com1.log", "LPT9", "...", ".hidden", "ab:c",
        " spaced ", "x.", "\u00fcn\u00efc\u00f6d\u00e9", "-rf"};
    Random random = new Random(7);
    for (String name : names) {
      byte[] bytes = new byte[1000 + random.nextInt(3000)];
      random.nextBytes(bytes);
      Files.write(content.resolve(name), bytes);
    }
    MetaInfo meta = seed(content);
    Path out = jail.resolve("out");
    leech(meta, out).completion().get(60, TimeUnit.SECONDS);
    List<String> expected = new ArrayList<>();
    for (String name : names) {
      expected.add("odd names/" + name);
      assertThat(Files.readAllBytes(out.resolve("odd names").resolve(name)))
          .isEqualTo(Files.readAllBytes(content.resolve(name)));
    }
    List<String> written = new ArrayList<>(filesUnder(out));
    written.removeIf(p -> p.startsWith(".functorrent/"));
    assertThat(written).containsExactlyInAnyOrderElementsOf(expected);
    assertOutsideUntouched();
  }

  private StorageException failure(Download d) throws Exception {
    try {
      d.completion().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(StorageException.class);
      return (StorageException) e.getCause();
    }
    throw new AssertionError("downloaded through a link that leads out of the directory");
  }

  @Test
  void aSymlinkedTopDirectoryThatLeadsOutIsRefused() throws Exception {
    Path content = Files.createDirectories(jail.resolve("seed").resolve("top"));
    Files.write(content.resolve("a.bin"), new byte[5000]);
    Files.write(content.resolve("b.bin"), new byte[7000]);
    MetaInfo meta = seed(content);
    Path out = Files.createDirectories(jail.resolve("out"));
    Files.createSymbolicLink(out.resolve("top"), jail.resolve("outside"));
    StorageException e = failure(leech(meta, out));
    assertThat(e).hasMessageContaining("symbolic link leads out of the download directory")
        .hasMessageContaining(out.resolve("top").toString());
    assertOutsideUntouched();
  }

  @Test
  void aSymlinkedFileThatLeadsOutIsRefused() throws Exception {
    Path content = jail.resolve("seed").resolve("data.bin");
    Files.createDirectories(content.getParent());
    Files.write(content, new byte[20_000]);
    MetaInfo meta = seed(content);
    Path out = Files.createDirectories(jail.resolve("out"));
    Files.createSymbolicLink(out.resolve("data.bin"), jail.resolve("victim.txt"));
    StorageException e = failure(leech(meta, out));
    assertThat(e).hasMessageContaining("symbolic link leads out of the download directory");
    assertOutsideUntouched();
  }

  @Test
  void aSymlinkThatStaysInsideIsFollowed() throws Exception {
    Path content = Files.createDirectories(jail.resolve("seed").resolve("top"));
    byte[] bytes = new byte[30_000];
    new Random(8).nextBytes(bytes);
    Files.write(content.resolve("a.bin"), bytes);
    MetaInfo meta = seed(content);
    Path out = Files.createDirectories(jail.resolve("out"));
    Path real = Files.createDirectories(out.resolve("real"));
    Files.createSymbolicLink(out.resolve("top"), real);
    leech(meta, out).completion().get(60, TimeUnit.SECONDS);
    assertThat(Files.readAllBytes(real.resolve("a.bin"))).isEqualTo(bytes);
    assertOutsideUntouched();
  }
}
