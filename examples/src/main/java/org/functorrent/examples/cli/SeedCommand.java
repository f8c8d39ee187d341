package org.functorrent.examples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code functorrent seed FILE --dir D [--port P]}: checks the data, then serves it. */
@Command(
    name = "seed",
    mixinStandardHelpOptions = true,
    description =
        "Checks the data in --dir against the torrent and seeds it until stopped (Ctrl-C);"
            + " missing pieces are downloaded first.")
final class SeedCommand implements Callable<Integer> {
  @Mixin DownloadCommand download;

  @Override
  public Integer call() throws Exception {
    return download.run(true);
  }
}
