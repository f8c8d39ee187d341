package org.functorrent.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.functorrent.common.TorrentException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code functorrent} program: its subcommands, and how it reports errors. */
@Command(
    name = "functorrent",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "A BitTorrent client built on the FuncTorrent library.",
    subcommands = {
      DownloadCommand.class,
      SeedCommand.class,
      InfoCommand.class,
      CreateCommand.class,
      TrackerCommand.class,
      DemoCommand.class
    })
public final class FuncTorrentCommand implements Runnable {
  /** Exit status for bad input (a broken file, an unreadable path): the user can fix it. */
  static final int EXIT_FAILURE = 1;

  /** Exit status for a command line picocli could not parse. */
  static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is needed");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the program with {@code args}, writing to {@code out} and {@code err}. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new FuncTorrentCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExitCodeExceptionMapper(e -> EXIT_FAILURE);
    commandLine.setParameterExceptionHandler(
        (e, a) -> {
          err.println("functorrent: " + e.getMessage());
          err.println("Try 'functorrent " + subcommandName(e.getCommandLine()) + "--help'.");
          return EXIT_USAGE;
        });
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          err.println("functorrent: " + oneLine(e));
          return EXIT_FAILURE;
        });
    return commandLine.execute(withDefaultSubcommand(args, commandLine));
  }

  /**
   * {@code functorrent FILE} and {@code cat FILE | functorrent} download, as the original
   * FuncTorrent did: without a subcommand, the arguments are the download command's.
   */
  private static String[] withDefaultSubcommand(String[] args, CommandLine commandLine) {
    boolean help =
        args.length > 0
            && (args[0].equals("-h") || args[0].equals("--help") || args[0].equals("-V")
                || args[0].equals("--version"));
    if (help || (args.length > 0 && commandLine.getSubcommands().containsKey(args[0]))) {
      return args;
    }
    if (args.length == 0 && System.console() != null) {
      return args;
    }
    String[] download = new String[args.length + 1];
    download[0] = "download";
    System.arraycopy(args, 0, download, 1, args.length);
    return download;
  }

  private static String subcommandName(CommandLine commandLine) {
    return commandLine.getParent() == null ? "" : commandLine.getCommandName() + " ";
  }

  /** The message of a failure the user can act on: typed errors say what and where. */
  static String oneLine(Exception e) {
    if (e instanceof TorrentException || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    if (e instanceof UncheckedIOException io) {
      return io.getMessage() + ": " + describe(io.getCause());
    }
    return e.toString();
  }

  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
