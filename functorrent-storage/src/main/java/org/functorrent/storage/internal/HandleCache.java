package org.functorrent.storage.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded LRU cache of open files, keyed by file number. A handle in use is never closed under
 * its user: when it falls out of the cache it is closed on its last release. So at most {@code
 * capacity} files are open, plus those in use by running operations.
 */
public final class HandleCache {
  private static final Logger log = LoggerFactory.getLogger(HandleCache.class);

  /** Opens file {@code key}, for reading and writing or for reading only. */
  @FunctionalInterface
  public interface Opener {
    FileChannel open(int key, boolean write) throws IOException;
  }

  /** An open file, counted in use until released. */
  public static final class Handle {
    private final int key;
    private final FileChannel channel;
    private final boolean writable;
    private int refs;
    private boolean retired;

    private Handle(int key, FileChannel channel, boolean writable) {
      this.key = key;
      this.channel = channel;
      this.writable = writable;
    }

    public FileChannel channel() {
      return channel;
    }

    public int key() {
      return key;
    }
  }

  private final int capacity;
  private final Opener opener;
  private final LinkedHashMap<Integer, Handle> open = new LinkedHashMap<>(16, 0.75f, true);
  private int openCount;
  private boolean closed;

  public HandleCache(int capacity, Opener opener) {
    this.capacity = capacity;
    this.opener = opener;
  }

  /** An open handle for file {@code key}, writable if asked; release it when done. */
  public synchronized Handle acquire(int key, boolean write) throws IOException {
    if (closed) {
      throw new IOException("storage closed");
    }
    Handle handle = open.get(key);
    if (handle != null && (handle.writable || !write)) {
      handle.refs++;
      return handle;
    }
    if (handle != null) {
      open.remove(key);
      retire(handle);
    }
    handle = new Handle(key, opener.open(key, write), write);
    openCount++;
    handle.refs = 1;
    open.put(key, handle);
    Iterator<Map.Entry<Integer, Handle>> eldest = open.entrySet().iterator();
    while (open.size() > capacity && eldest.hasNext()) {
      Handle old = eldest.next().getValue();
      if (old != handle) {
        eldest.remove();
        retire(old);
      }
    }
    return handle;
  }

  public synchronized void release(Handle handle) {
    handle.refs--;
    if (handle.retired && handle.refs == 0) {
      closeChannel(handle);
    }
  }

  /** Closes file {@code key} when no longer in use, such as after an error on it. */
  public synchronized void invalidate(int key) {
    Handle handle = open.remove(key);
    if (handle != null) {
      retire(handle);
    }
  }

  /** The number of files open now, in the cache or in use. */
  public synchronized int openCount() {
    return openCount;
  }

  /** Closes every file not in use now, the others on release; later acquires fail. */
  public synchronized void closeAll() {
    closed = true;
    List<Handle> all = new ArrayList<>(open.values());
    open.clear();
    all.forEach(this::retire);
  }

  private void retire(Handle handle) {
    handle.retired = true;
    if (handle.refs == 0) {
      closeChannel(handle);
    }
  }

  private void closeChannel(Handle handle) {
    openCount--;
    try {
      handle.channel.close();
    } catch (IOException e) {
      log.warn("cannot close file {}: {}", handle.key, e.toString());
    }
  }
}
