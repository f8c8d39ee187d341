package org.functorrent.dht.internal;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeString;
import org.functorrent.dht.NodeId;

/**
 * The node's state between runs: a bencoded dictionary {@code {"id": 20 bytes, "nodes": compact
 * node info}}. Written to a temporary file beside the target and moved over it atomically, so a
 * crash leaves the old file or the new one, never half of one.
 */
public final class StateFile {
  /** The state read back: our id and the nodes to contact first. */
  public record State(NodeId id, ImmutableList<NodeContact> nodes) {}

  private StateFile() {}

  /**
   * Reads {@code file}; empty if it does not exist.
   *
   * @throws IOException if it cannot be read
   * @throws org.functorrent.common.TorrentException if it is not a state file
   */
  public static Optional<State> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    byte[] bytes = Files.readAllBytes(file);
    if (!(Bencode.decode(bytes) instanceof BencodeDictionary d)
        || !(d.get("id").orElse(null) instanceof BencodeString id)
        || id.length() != NodeId.LENGTH) {
      throw new org.functorrent.common.TorrentException(
          "DHT state file " + file + ": no 20-byte id (expected: {\"id\": ..., \"nodes\": ...})");
    }
    ImmutableList<NodeContact> nodes = ImmutableList.of();
    if (d.get("nodes").orElse(null) instanceof BencodeString s
        && s.length() % Compact.NODE_LENGTH == 0) {
      nodes = Compact.readNodes(s.toByteArray());
    }
    return Optional.of(new State(NodeId.of(id.toByteArray()), nodes));
  }

  /** Writes {@code id} and {@code nodes} to {@code file} atomically. */
  public static void write(Path file, NodeId id, List<NodeContact> nodes) throws IOException {
    byte[] bytes =
        Bencode.encode(
            BencodeDictionary.builder()
                .put("id", BencodeString.of(id.toByteArray()))
                .put("nodes", BencodeString.of(Compact.nodes(nodes)))
                .build());
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
