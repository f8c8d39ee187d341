package org.functorrent.examples.cli;

/**
 * A command line the program cannot use: an unknown option, a missing or malformed value, or
 * options that do not go together. The program prints the message and how to get help, and exits
 * with {@link FuncTorrentCommand#EXIT_USAGE}.
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
