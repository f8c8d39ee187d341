package org.functorrent.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file channel whose writes fail as on a full disk where {@link Fault#at} says so: the write
 * stores the bytes that the fault lets through (none by default, some for a disk that fills up
 * in the middle of a write) and then throws "No space left on device".
 */
final class FaultyChannel extends FileChannel {
  /** Where writes fail. */
  @FunctionalInterface
  interface Fault {
    /** Whether a write of {@code length} bytes at {@code position} fails. */
    boolean at(long position, int length);

    /** How many of the bytes of a failing write are stored before it fails. */
    default int storedBeforeFailing(long position, int length) {
      return 0;
    }
  }

  private final FileChannel delegate;
  private final Fault fault;
  private Runnable onForce = () -> {};

  /** A channel whose writes fail when {@code fails} says so for the write's position. */
  FaultyChannel(FileChannel delegate, java.util.function.LongPredicate fails) {
    this(delegate, (position, length) -> fails.test(position));
  }

  FaultyChannel(FileChannel delegate, Fault fault) {
    this.delegate = delegate;
    this.fault = fault;
  }

  /** A channel that never fails and runs {@code onForce} at each sync. */
  static FaultyChannel countingSyncs(FileChannel delegate, Runnable onForce) {
    FaultyChannel channel = new FaultyChannel(delegate, (position, length) -> false);
    channel.onForce = onForce;
    return channel;
  }

  private void check(long position, ByteBuffer src) throws IOException {
    int length = src.remaining();
    if (fault.at(position, length)) {
      int stored = Math.min(length, fault.storedBeforeFailing(position, length));
      if (stored > 0) {
        ByteBuffer part = src.slice(src.position(), stored);
        while (part.hasRemaining()) {
          delegate.write(part, position + part.position());
        }
      }
      throw new IOException("No space left on device");
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return delegate.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return delegate.read(dsts, offset, length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    check(delegate.position(), src);
    return delegate.write(src);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    for (int i = offset; i < offset + length; i++) {
      check(delegate.position(), srcs[i]);
    }
    return delegate.write(srcs, offset, length);
  }

  @Override
  public long position() throws IOException {
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    delegate.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    onForce.run();
    delegate.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target)
      throws IOException {
    return delegate.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count)
      throws IOException {
    if (fault.at(position, (int) Math.min(Integer.MAX_VALUE, count))) {
      throw new IOException("No space left on device");
    }
    return delegate.transferFrom(src, position, count);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return delegate.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    check(position, src);
    return delegate.write(src, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return delegate.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return delegate.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return delegate.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    delegate.close();
  }
}
