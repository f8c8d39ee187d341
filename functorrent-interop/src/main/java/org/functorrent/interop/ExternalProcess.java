package org.functorrent.interop;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real program started by the harness, its output in a log file. {@link #close()} stops it and
 * everything it started, and waits for them.
 */
public final class ExternalProcess implements AutoCloseable {
  private final List<String> command;
  private final Process process;
  private final Path log;

  private ExternalProcess(List<String> command, Process process, Path log) {
    this.command = command;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code command} in {@code workDir}, its stdout and stderr going to {@code log}.
   *
   * @throws IllegalStateException if the program is not installed (run ./run-tests.sh)
   */
  public static ExternalProcess start(List<String> command, Path workDir, Path log) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    try {
      return new ExternalProcess(List.copyOf(command), builder.start(), log);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start " + command.get(0) + " (is it installed? ./run-tests.sh installs the"
              + " interop clients): " + e.getMessage(),
          e);
    }
  }

  /** Runs {@code command} to its end and returns its output; fails unless it exits with 0. */
  public static String run(List<String> command, Path workDir, Duration timeout) {
    Path log = workDir.resolve("run-" + System.nanoTime() + ".log");
    try (ExternalProcess p = start(command, workDir, log)) {
      int status = p.waitFor(timeout);
      String output = p.output();
      if (status != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited with " + status + ":\n" + output);
      }
      return output;
    } finally {
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        // A log left in a temporary directory is harmless.
      }
    }
  }

  /** Waits for the program to end and returns its exit status. */
  public int waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish within " + timeout + ":\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + command.get(0), e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Everything the program has printed so far. */
  public String output() {
    try {
      return Files.readString(log, UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path log() {
    return log;
  }

  /** Stops the program (SIGTERM, then SIGKILL after 10 s) and its descendants. */
  @Override
  public void close() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    descendants.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }
}
