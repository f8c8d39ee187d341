package org.functorrent.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** What one run of the {@code functorrent} program in this JVM gave: its exit status and output. */
record CommandRun(int status, String out, String err) {
  /** Runs {@code functorrent args...} in this JVM with its output captured. */
  static CommandRun run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        FuncTorrentCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CommandRun(status, out.toString(), err.toString());
  }
}
