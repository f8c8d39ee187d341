package org.functorrent.examples.cli;

/**
 * {@code functorrent seed FILE --dir D [--port P]}: checks the data, then serves it. It takes the
 * download command's parameters and runs as {@link DownloadCommand} with seeding on.
 */
final class SeedCommand {
  static final CommandSpec SPEC =
      new CommandSpec(
          "seed",
          "Checks the data in --dir against the torrent and seeds it until stopped (Ctrl-C);"
              + " missing pieces are downloaded first.",
          DownloadCommand.PARAMETERS);

  private SeedCommand() {}
}
