package org.functorrent.storage.internal;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodeList;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.storage.FilePriority;
import org.functorrent.storage.PieceSet;

/**
 * A fast-resume record, stored as a bencoded dictionary: {@code format} ("functorrent resume 1"),
 * {@code info-hash} (20 bytes), {@code piece-count}, {@code pieces} (a BEP 3 bitfield of the
 * verified pieces), {@code files} (a list of [size, mtime in ns] per file, size -1 when missing),
 * {@code part} ([size, mtime] of the part file), {@code priorities} (0 skip, 1 normal, 2 high) and,
 * when the data files were not synced to disk before the record was written, {@code
 * unsynced-boot}: the id of the operating system's boot that wrote it. Such a record is as good
 * as a synced one until the machine restarts, since every process then reads the same page
 * cache; after a restart the pieces it names are hashed again, since they may not have reached
 * the disk.
 */
public record ResumeData(
    InfoHash infoHash,
    PieceSet pieces,
    ImmutableList<FileStamp> files,
    FileStamp partFile,
    ImmutableList<FilePriority> priorities,
    Optional<String> unsyncedBoot) {
  static final String FORMAT = "functorrent resume 1";

  public byte[] encode() {
    List<BencodeValue> stamps = new ArrayList<>();
    files.forEach(stamp -> stamps.add(encode(stamp)));
    List<BencodeValue> levels = new ArrayList<>();
    priorities.forEach(p -> levels.add(BencodeInteger.of(p.ordinal())));
    BencodeDictionary.Builder record =
        BencodeDictionary.builder()
            .put("format", FORMAT)
            .put("info-hash", BencodeString.of(infoHash.toByteArray()))
            .put("piece-count", pieces.size())
            .put("pieces", BencodeString.of(pieces.toBitfield()))
            .put("files", BencodeList.of(stamps))
            .put("part", encode(partFile))
            .put("priorities", BencodeList.of(levels));
    unsyncedBoot.ifPresent(boot -> record.put("unsynced-boot", boot));
    return Bencode.encode(record.build());
  }

  private static BencodeList encode(FileStamp stamp) {
    return BencodeList.of(
        BencodeInteger.of(stamp.size()), BencodeInteger.of(stamp.modifiedNanos()));
  }

  /**
   * Reads a record for {@code meta}; empty if it is malformed or for another torrent, so the caller
   * checks everything instead.
   */
  public static Optional<ResumeData> decode(byte[] bytes, MetaInfo meta) {
    try {
      BencodeDictionary d = (BencodeDictionary) Bencode.decode(bytes);
      if (!((BencodeString) d.get("format").orElseThrow()).contentEquals(FORMAT)) {
        return Optional.empty();
      }
      InfoHash hash = InfoHash.of(((BencodeString) d.get("info-hash").orElseThrow()).toByteArray());
      long count = ((BencodeInteger) d.get("piece-count").orElseThrow()).value();
      if (!hash.equals(meta.infoHash()) || count != meta.pieceCount()) {
        return Optional.empty();
      }
      PieceSet pieces =
          PieceSet.fromBitfield(
              ((BencodeString) d.get("pieces").orElseThrow()).toByteArray(), meta.pieceCount());
      BencodeList stampList = (BencodeList) d.get("files").orElseThrow();
      BencodeList levels = (BencodeList) d.get("priorities").orElseThrow();
      if (stampList.size() != meta.files().size() || levels.size() != meta.files().size()) {
        return Optional.empty();
      }
      ImmutableList.Builder<FileStamp> stamps = ImmutableList.builder();
      stampList.values().forEach(v -> stamps.add(decodeStamp(v)));
      ImmutableList.Builder<FilePriority> priorities = ImmutableList.builder();
      for (BencodeValue v : levels.values()) {
        priorities.add(FilePriority.values()[(int) ((BencodeInteger) v).value()]);
      }
      return Optional.of(
          new ResumeData(
              hash,
              pieces,
              stamps.build(),
              decodeStamp(d.get("part").orElseThrow()),
              priorities.build(),
              d.get("unsynced-boot").map(v -> ((BencodeString) v).asUtf8())));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static FileStamp decodeStamp(BencodeValue value) {
    BencodeList list = (BencodeList) value;
    return new FileStamp(
        ((BencodeInteger) list.get(0)).value(), ((BencodeInteger) list.get(1)).value());
  }
}
