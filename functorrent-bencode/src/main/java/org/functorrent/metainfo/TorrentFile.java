package org.functorrent.metainfo;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.Optional;

/**
 * One file of a torrent, in the order of the torrent's byte stream.
 *
 * @param path the path segments below the download directory: {@code [name]} for a single-file
 *     torrent, {@code [name, dir..., file]} for a multi-file torrent; every segment is a plain,
 *     safe file name
 * @param length the number of bytes; 0 for a symlink
 * @param offset where the file starts in the torrent's byte stream (the concatenation of all files,
 *     pieces laid over it)
 * @param attributes the BEP 47 {@code attr} string as given, possibly empty: {@code p} padding,
 *     {@code x} executable, {@code h} hidden, {@code l} symlink; other characters are ignored
 * @param symlinkPath for a symlink, its target relative to the download directory (below the
 *     torrent's name for a multi-file torrent), each segment a safe file name
 */
public record TorrentFile(
    ImmutableList<String> path,
    long length,
    long offset,
    String attributes,
    Optional<ImmutableList<String>> symlinkPath) {

  public TorrentFile {
    checkArgument(!path.isEmpty(), "path: empty (expected: at least one segment)");
    checkArgument(length >= 0, "length: %s (expected: >= 0)", length);
    checkArgument(offset >= 0, "offset: %s (expected: >= 0)", offset);
    checkArgument(
        symlinkPath.isPresent() == attributes.contains("l"),
        "symlinkPath: %s with attributes \"%s\" (expected: a target exactly for a symlink)",
        symlinkPath,
        attributes);
    path = ImmutableList.copyOf(path);
    symlinkPath = symlinkPath.map(ImmutableList::copyOf);
  }

  /** A plain file with no BEP 47 attributes. */
  public static TorrentFile of(ImmutableList<String> path, long length, long offset) {
    return new TorrentFile(path, length, offset, "", Optional.empty());
  }

  /** Whether this is a BEP 47 padding file: zeros that need not be stored or requested. */
  public boolean isPadding() {
    return attributes.indexOf('p') >= 0;
  }

  public boolean isExecutable() {
    return attributes.indexOf('x') >= 0;
  }

  public boolean isHidden() {
    return attributes.indexOf('h') >= 0;
  }

  public boolean isSymlink() {
    return attributes.indexOf('l') >= 0;
  }

  /** The path segments joined by {@code /}. */
  public String pathString() {
    return String.join("/", path);
  }
}
