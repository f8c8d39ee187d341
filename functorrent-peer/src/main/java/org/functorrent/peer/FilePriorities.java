package org.functorrent.peer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.functorrent.metainfo.MetaInfo;
import org.functorrent.metainfo.TorrentFile;

/** Maps per-file priorities onto piece priorities. */
public final class FilePriorities {
  private FilePriorities() {}

  /**
   * The piece priorities that the file priorities {@code filePriorities} (one per file of {@code
   * metaInfo.files()}, in that order; 0 skips a file, up to 7) come to: a piece takes the highest
   * priority of the files it holds bytes of. Padding files and empty files hold no wanted bytes,
   * so a piece that only holds padding gets priority 0.
   *
   * @throws IllegalArgumentException if the list does not have one priority in 0..7 per file
   */
  public static int[] toPiecePriorities(MetaInfo metaInfo, List<Integer> filePriorities) {
    checkNotNull(metaInfo, "metaInfo");
    checkNotNull(filePriorities, "filePriorities");
    List<TorrentFile> files = metaInfo.files();
    checkArgument(
        filePriorities.size() == files.size(),
        "filePriorities: %s values (expected: one per file, %s)",
        filePriorities.size(),
        files.size());
    int[] pieces = new int[metaInfo.pieceCount()];
    long pieceLength = metaInfo.pieceLength();
    for (int f = 0; f < files.size(); f++) {
      Integer priority = filePriorities.get(f);
      checkArgument(
          priority != null && priority >= 0 && priority <= 7,
          "filePriorities[%s]: %s (expected: 0..7)",
          f,
          priority);
      TorrentFile file = files.get(f);
      if (file.isPadding() || file.length() == 0 || priority == 0) {
        continue;
      }
      int first = (int) (file.offset() / pieceLength);
      int last = (int) ((file.offset() + file.length() - 1) / pieceLength);
      for (int p = first; p <= last; p++) {
        pieces[p] = Math.max(pieces[p], priority);
      }
    }
    return pieces;
  }
}
