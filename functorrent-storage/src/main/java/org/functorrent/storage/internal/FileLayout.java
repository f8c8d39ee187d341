package org.functorrent.storage.internal;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentFile;

/**
 * Where the bytes of a torrent's stream lie: which file, at which offset. Files of length zero (and
 * symlinks) hold no bytes and never appear in a span. Offsets are longs everywhere.
 *
 * <p>A <em>boundary piece</em> is one that holds bytes of two or more non-padding files. Each has a
 * slot of one piece length in the part file, numbered in piece order, where the bytes of its
 * skipped files are kept.
 */
public final class FileLayout {

  /**
   * A run of bytes of one file.
   *
   * @param file the file's index in {@code MetaInfo.files()}
   * @param fileOffset where the run starts in the file
   * @param torrentOffset where the run starts in the torrent's byte stream
   * @param length the run's length
   */
  public record Span(int file, long fileOffset, long torrentOffset, int length) {}

  private final MetaInfo meta;
  private final ImmutableList<TorrentFile> files;
  private final int[] dataFiles;
  private final long[] dataStarts;
  private final int[] boundaryPieces;

  public FileLayout(MetaInfo meta) {
    this.meta = meta;
    this.files = meta.files();
    List<Integer> data = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      if (files.get(i).length() > 0) {
        data.add(i);
      }
    }
    dataFiles = data.stream().mapToInt(Integer::intValue).toArray();
    dataStarts = new long[dataFiles.length];
    for (int i = 0; i < dataFiles.length; i++) {
      dataStarts[i] = files.get(dataFiles[i]).offset();
    }
    Map<Integer, Integer> filesPerEdgePiece = new HashMap<>();
    for (int index : dataFiles) {
      TorrentFile file = files.get(index);
      if (file.isPadding()) {
        continue;
      }
      int first = firstPiece(index);
      int last = lastPiece(index);
      filesPerEdgePiece.merge(first, 1, Integer::sum);
      if (last != first) {
        filesPerEdgePiece.merge(last, 1, Integer::sum);
      }
    }
    boundaryPieces =
        filesPerEdgePiece.entrySet().stream()
            .filter(e -> e.getValue() >= 2)
            .mapToInt(Map.Entry::getKey)
            .sorted()
            .toArray();
  }

  public MetaInfo metaInfo() {
    return meta;
  }

  /** Where {@code piece} starts in the torrent's byte stream. */
  public long pieceStart(int piece) {
    return (long) piece * meta.pieceLength();
  }

  /** The first piece holding bytes of file {@code index}, which must have some. */
  public int firstPiece(int index) {
    return (int) (files.get(index).offset() / meta.pieceLength());
  }

  /** The last piece holding bytes of file {@code index}, which must have some. */
  public int lastPiece(int index) {
    TorrentFile file = files.get(index);
    return (int) ((file.offset() + file.length() - 1) / meta.pieceLength());
  }

  /** The runs of bytes, in order, of {@code length} bytes at {@code torrentOffset}. */
  public List<Span> spans(long torrentOffset, int length) {
    List<Span> out = new ArrayList<>(2);
    if (length == 0) {
      return out;
    }
    int at = Arrays.binarySearch(dataStarts, torrentOffset);
    if (at < 0) {
      at = -at - 2;
    }
    long position = torrentOffset;
    long end = torrentOffset + length;
    for (int i = at; i < dataFiles.length && position < end; i++) {
      TorrentFile file = files.get(dataFiles[i]);
      long fileEnd = file.offset() + file.length();
      if (fileEnd <= position) {
        continue;
      }
      int run = (int) (Math.min(end, fileEnd) - position);
      out.add(new Span(dataFiles[i], position - file.offset(), position, run));
      position += run;
    }
    if (position != end) {
      throw new IllegalArgumentException(
          "range: "
              + torrentOffset
              + "+"
              + length
              + " (expected: within "
              + meta.totalLength()
              + " bytes)");
    }
    return out;
  }

  /** The spans of a whole piece. */
  public List<Span> pieceSpans(int piece) {
    return spans(pieceStart(piece), (int) meta.pieceSize(piece));
  }

  /** The part-file slot of {@code piece}, or -1 if it is not a boundary piece. */
  public int partSlot(int piece) {
    int slot = Arrays.binarySearch(boundaryPieces, piece);
    return slot >= 0 ? slot : -1;
  }

  /** Where byte {@code torrentOffset} of boundary piece {@code piece} lives in the part file. */
  public long partOffset(int piece, long torrentOffset) {
    int slot = partSlot(piece);
    if (slot < 0) {
      throw new IllegalArgumentException("piece: " + piece + " (expected: a boundary piece)");
    }
    return (long) slot * meta.pieceLength() + (torrentOffset - pieceStart(piece));
  }

  /** The number of boundary pieces, so of slots in the part file. */
  public int boundaryPieceCount() {
    return boundaryPieces.length;
  }
}
