package org.functorrent.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.functorrent.common.TorrentException;

/**
 * The {@code functorrent} program: its subcommands, and how it reports errors. Its command-line
 * parser is {@link CommandSpec}; each subcommand declares its {@link Option}s.
 */
public final class FuncTorrentCommand {
  /** Exit status for bad input (a broken file, an unreadable path): the user can fix it. */
  static final int EXIT_FAILURE = 1;

  /** Exit status for a command line the program could not use. */
  static final int EXIT_USAGE = 2;

  static final CommandSpec SPEC =
      new CommandSpec(
          "functorrent",
          "A BitTorrent client built on the FuncTorrent library.",
          List.of(),
          List.of(
              DownloadCommand.SPEC,
              SeedCommand.SPEC,
              InfoCommand.SPEC,
              CreateCommand.SPEC,
              TrackerCommand.SPEC,
              DemoCommand.SPEC));

  private static final String NETTY_JFR = "io.netty.jfr.enabled";
  private static final String NETTY_LEAK_DETECTION = "io.netty.leakDetection.level";

  private FuncTorrentCommand() {}

  public static void main(String[] args) {
    nettyDefaultsUnlessSet();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Sets the program's defaults for Netty, where the user did not choose; must run before Netty's
   * first class loads.
   *
   * <ul>
   *   <li>{@code io.netty.jfr.enabled=false}: Netty's buffer allocators declare JFR events, and
   *       unless told otherwise Netty registers them when the first buffer is allocated; JFR then
   *       reads their annotations. That spins about 20 proxy classes and loads JFR's metadata on
   *       every start, for events only a running recording would use. {@code
   *       -Dio.netty.jfr.enabled=true} brings them back (e.g. to profile with JFR).
   *   <li>{@code io.netty.leakDetection.level=disabled}: Netty's default samples one buffer in
   *       128 and wraps it in a tracking class. Those few wrapped buffers reach every method on
   *       the receive path, whose compiled code then has two buffer classes to handle; a cold
   *       download recompiled the path when the first wrapped block came, and type checks failed
   *       at a dozen other places. {@code -Dio.netty.leakDetection.level=simple} (or {@code
   *       paranoid}) turns detection back on, for finding a leak.
   * </ul>
   */
  static void nettyDefaultsUnlessSet() {
    if (System.getProperty(NETTY_JFR) == null) {
      System.setProperty(NETTY_JFR, "false");
    }
    if (System.getProperty(NETTY_LEAK_DETECTION) == null) {
      System.setProperty(NETTY_LEAK_DETECTION, "disabled");
    }
  }

  /** Runs the program with {@code args}, writing to {@code out} and {@code err}. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    List<String> line = withDefaultSubcommand(args);
    CommandSpec current = SPEC;
    try {
      ParsedArgs program = SPEC.parse(line, 0);
      List<ParsedArgs> parsed = new ArrayList<>(List.of(program));
      if (program.subcommand() != null) {
        current = program.subcommand();
        parsed.add(current.parse(line, program.subcommandIndex()));
      }
      for (ParsedArgs p : parsed) {
        if (p.helpRequested()) {
          String path = p.command() == SPEC ? SPEC.name() : SPEC.name() + " " + p.command().name();
          out.print(HelpText.of(p.command(), path));
          out.flush();
          return 0;
        }
        if (p.versionRequested()) {
          out.println(Version.text());
          return 0;
        }
      }
      for (ParsedArgs p : parsed) {
        p.checkComplete();
      }
      if (current == SPEC) {
        throw new UsageException("a subcommand is needed");
      }
      return command(parsed.get(1), out).call();
    } catch (UsageException e) {
      err.println("functorrent: " + e.getMessage());
      err.println("Try 'functorrent " + (current == SPEC ? "" : current.name() + " ") + "--help'.");
      return EXIT_USAGE;
    } catch (Exception e) {
      err.println("functorrent: " + oneLine(e));
      return EXIT_FAILURE;
    }
  }

  /** The subcommand that {@code args} are for, ready to run. */
  private static Callable<Integer> command(ParsedArgs args, PrintWriter out) {
    switch (args.command().name()) {
      case "download":
        return new DownloadCommand(args, out, false);
      case "seed":
        return new DownloadCommand(args, out, true);
      case "info":
        return new InfoCommand(args, out);
      case "create":
        return new CreateCommand(args, out);
      case "tracker":
        return new TrackerCommand(args, out);
      case "demo":
        return new DemoCommand(args, out);
      default:
        throw new IllegalStateException("no such subcommand: " + args.command().name());
    }
  }

  /**
   * {@code functorrent FILE} and {@code cat FILE | functorrent} download, as the original
   * FuncTorrent did: without a subcommand, the arguments are the download command's.
   */
  private static List<String> withDefaultSubcommand(String[] args) {
    boolean help =
        args.length > 0
            && (args[0].equals("-h") || args[0].equals("--help") || args[0].equals("-V")
                || args[0].equals("--version"));
    List<String> line = new ArrayList<>(List.of(args));
    if (help || (args.length > 0 && SPEC.subcommand(args[0]) != null)) {
      return line;
    }
    if (args.length == 0 && System.console() != null) {
      return line;
    }
    line.add(0, DownloadCommand.SPEC.name());
    return line;
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
