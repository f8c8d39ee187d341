package org.functorrent.metainfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.functorrent.common.TorrentException;
import org.functorrent.metainfo.TorrentCreator.SourceFile;

/**
 * Hashes the pieces of a sequence of files with SHA-1, one contiguous run of pieces per task, on
 * as many threads as there are cores, so each thread reads its part of the data in order.
 */
final class PieceHasher {
  private static final int HASH_LENGTH = 20;

  private PieceHasher() {}

  static byte[] hash(List<SourceFile> files, int pieceLength, long totalLength) {
    long[] starts = new long[files.size()];
    long offset = 0;
    for (int i = 0; i < files.size(); i++) {
      starts[i] = offset;
      offset += files.get(i).length();
    }
    int pieceCount = Math.toIntExact((totalLength + pieceLength - 1) / pieceLength);
    byte[] hashes = new byte[pieceCount * HASH_LENGTH];
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), pieceCount));
    int tasks = Math.min(pieceCount, threads * 4);
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "functorrent-hasher-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < tasks; t++) {
        int from = (int) ((long) pieceCount * t / tasks);
        int to = (int) ((long) pieceCount * (t + 1) / tasks);
        futures.add(
            executor.submit(
                () -> {
                  hashRange(files, starts, pieceLength, totalLength, from, to, hashes);
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TorrentException("interrupted while hashing pieces", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new TorrentException("hashing failed: " + e.getCause(), e.getCause());
    } finally {
      executor.shutdownNow();
    }
    return hashes;
  }

  private static void hashRange(
      List<SourceFile> files,
      long[] starts,
      int pieceLength,
      long totalLength,
      int from,
      int to,
      byte[] hashes) {
    MessageDigest sha1 = sha1();
    ByteBuffer buffer = ByteBuffer.allocate(pieceLength);
    FileChannel[] channels = new FileChannel[files.size()];
    try {
      for (int piece = from; piece < to; piece++) {
        long pieceStart = (long) piece * pieceLength;
        int length = (int) Math.min(pieceLength, totalLength - pieceStart);
        buffer.clear().limit(length);
        readFully(files, starts, channels, pieceStart, buffer);
        buffer.flip();
        sha1.update(buffer);
        byte[] digest = sha1.digest();
        System.arraycopy(digest, 0, hashes, piece * HASH_LENGTH, HASH_LENGTH);
      }
    } finally {
      for (FileChannel channel : channels) {
        if (channel != null) {
          try {
            channel.close();
          } catch (IOException e) {
            // Read-only channel: nothing was written that could be lost.
          }
        }
      }
    }
  }

  private static void readFully(
      List<SourceFile> files, long[] starts, FileChannel[] channels, long offset, ByteBuffer buffer) {
    int index = Arrays.binarySearch(starts, offset);
    if (index < 0) {
      index = -index - 2;
    }
    // Several files may start at the same offset when some are empty: take the last of them.
    while (index + 1 < starts.length && starts[index + 1] <= offset) {
      index++;
    }
    while (buffer.hasRemaining()) {
      SourceFile file = files.get(index);
      long inFile = offset - starts[index];
      if (inFile >= file.length()) {
        index++;
        continue;
      }
      try {
        if (channels[index] == null) {
          channels[index] = FileChannel.open(file.file(), StandardOpenOption.READ);
        }
        int wanted = (int) Math.min(buffer.remaining(), file.length() - inFile);
        int limit = buffer.limit();
        buffer.limit(buffer.position() + wanted);
        long position = inFile;
        while (buffer.hasRemaining()) {
          int read = channels[index].read(buffer, position);
          if (read < 0) {
            throw new TorrentException(file.file() + " became shorter while it was being hashed");
          }
          position += read;
        }
        buffer.limit(limit);
        offset += wanted;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file.file(), e);
      }
    }
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-1", e);
    }
  }
}
