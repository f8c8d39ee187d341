package org.functorrent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackpressureTest {
  @TempDir Path dir;

  /** Runs tasks only when told to: what the storage has queued can be seen. */
  private static final class ManualExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      Runnable task;
      while ((task = poll()) != null) {
        task.run();
      }
    }

    private synchronized Runnable poll() {
      return tasks.poll();
    }
  }

  @Test
  void pendingWritesCountsBlocksNotYetWrittenAndNothingRunsOnTheCaller() {
    TestTorrent t = TestTorrent.single(61, 16384, "bp.bin", 40_000);
    ManualExecutor executor = new ManualExecutor();
    Storage s =
        Storages.fileSystem(t.meta, dir, executor, StorageOptions.defaults().withFastResume(false));
    CompletableFuture<Void> a = s.writeBlock(0, 0, ByteBuffer.wrap(t.content, 0, 16384));
    CompletableFuture<Void> b = s.writeBlock(1, 0, ByteBuffer.wrap(t.content, 16384, 16384));
    CompletableFuture<Boolean> v = s.verifyPiece(0);
    assertThat(s.pendingWrites()).isEqualTo(2);
    assertThat(a).isNotDone();
    assertThat(v).isNotDone();
    executor.runAll();
    assertThat(s.pendingWrites()).isZero();
    assertThat(b).isCompleted();
    assertThat(v.join()).isTrue();
    s.close();
    CompletableFuture<Void> late = s.writeBlock(2, 0, ByteBuffer.wrap(t.content, 32768, 100));
    executor.runAll();
    assertThat(late).isCompletedExceptionally();
    assertThat(s.pendingWrites()).isZero();
  }
}
