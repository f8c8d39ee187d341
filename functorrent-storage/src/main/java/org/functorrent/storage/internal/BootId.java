package org.functorrent.storage.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The operating system's id of its current boot (Linux: {@code /proc/sys/kernel/random/boot_id},
 * new at every start of the kernel). Data written but not synced survives a crashed process, not
 * a crashed machine: a resume record that names the current boot can be trusted without a sync.
 */
final class BootId {
  private static final Path SOURCE = Path.of("/proc/sys/kernel/random/boot_id");
  private static final Optional<String> CURRENT = read(SOURCE);

  private BootId() {}

  /** The current boot's id; empty where the system does not tell it (data is then synced). */
  static Optional<String> current() {
    return CURRENT;
  }

  static Optional<String> read(Path source) {
    try {
      String id = new String(Files.readAllBytes(source), StandardCharsets.US_ASCII).strip();
      return id.isEmpty() || id.length() > 64 ? Optional.empty() : Optional.of(id);
    } catch (IOException | SecurityException e) {
      return Optional.empty();
    }
  }
}
