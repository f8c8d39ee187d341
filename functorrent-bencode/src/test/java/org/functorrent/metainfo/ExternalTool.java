package org.functorrent.metainfo;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real, independent tool (libtorrent's Python binding, mktorrent, Transmission) and
 * returns what it printed. A missing tool fails the test: run-tests.sh installs them.
 */
final class ExternalTool {
  /** Debian's python3-libtorrent is built for /usr/bin/python3, not any other python3 on PATH. */
  static final String PYTHON = "/usr/bin/python3";

  record Result(int exitCode, String stdout, String stderr) {}

  private ExternalTool() {}

  static Result run(Path workDir, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    builder.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError(
          command[0] + " is not installed: run ./run-tests.sh, which installs the interop tools", e);
    }
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 5 minutes");
    }
    Result result =
        new Result(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
    Files.delete(out);
    Files.delete(err);
    return result;
  }

  /** Runs the command and fails the test, showing its output, unless it exits with 0. */
  static String check(Path workDir, String... command) throws IOException, InterruptedException {
    Result result = run(workDir, command);
    if (result.exitCode() != 0) {
      throw new AssertionError(
          String.join(" ", command) + " exited with " + result.exitCode() + "\nstdout: "
              + result.stdout() + "\nstderr: " + result.stderr());
    }
    return result.stdout();
  }

  /** Copies the test's libtorrent script into {@code dir} and returns the command to run it. */
  static List<String> libtorrentTool(Path dir) throws IOException {
    Path script = dir.resolve("lt_tool.py");
    if (!Files.exists(script)) {
      try (InputStream in = ExternalTool.class.getResourceAsStream("/interop/lt_tool.py")) {
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    List<String> command = new ArrayList<>();
    command.add(PYTHON);
    command.add(script.toString());
    return command;
  }
}
