package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.functorrent.examples.cli.CommandRun.run;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The program's command line as a user meets it, through {@link FuncTorrentCommand#run}: help and
 * version on the program and on every subcommand, the default subcommand, and the two lines a
 * usage error prints. Nothing here touches the network.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class CommandLineTest {
  private static final List<CommandSpec> SUBCOMMANDS = FuncTorrentCommand.SPEC.subcommands();

  /**
   * Runs the program with an empty standard input: a command line that the parser wrongly let
   * through to a download without a file fails at once instead of waiting for input.
   */
  private static CommandRun program(String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(new byte[0]));
    try {
      return run(args);
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void theProgramHasItsSixSubcommands() {
    assertThat(SUBCOMMANDS)
        .extracting(CommandSpec::name)
        .containsExactly("download", "seed", "info", "create", "tracker", "demo");
  }

  @Test
  void helpOfTheProgramListsTheSubcommands() {
    for (String help : List.of("--help", "-h")) {
      CommandRun run = program(help);
      assertThat(run.status()).isZero();
      assertThat(run.err()).isEmpty();
      assertThat(run.out())
          .startsWith(
              "Usage: functorrent [-hV] [COMMAND]\n"
                  + "A BitTorrent client built on the FuncTorrent library.\n")
          .contains("  -h, --help      Show this help message and exit.\n")
          .contains("  -V, --version   Print version information and exit.\n")
          .contains("Commands:\n  download  Downloads a torrent;");
      for (CommandSpec subcommand : SUBCOMMANDS) {
        assertThat(run.out()).contains("\n  " + subcommand.name() + " ");
      }
    }
  }

  @Test
  void helpOfEachSubcommandNamesEveryOptionWithItsDescription() {
    for (CommandSpec subcommand : SUBCOMMANDS) {
      for (String help : List.of("--help", "-h")) {
        CommandRun run = program(subcommand.name(), help);
        assertThat(run.status()).as(subcommand.name()).isZero();
        assertThat(run.err()).isEmpty();
        String out = run.out();
        assertThat(out).startsWith("Usage: functorrent " + subcommand.name() + " [-hV]");
        String oneLine = out.replaceAll("\\s*\n\\s*", " ");
        assertThat(oneLine).contains(subcommand.description());
        for (Option<?> option : subcommand.options()) {
          assertThat(out).as(subcommand.name()).contains(option.longestName());
          assertThat(oneLine).as(subcommand.name()).contains(option.description());
        }
        for (Option<?> parameter : subcommand.positionals()) {
          assertThat(oneLine).contains(parameter.label()).contains(parameter.description());
        }
        assertThat(out.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
      }
    }
  }

  @Test
  void helpComesAfterOtherArgumentsToo() {
    CommandRun run = program("info", "some.torrent", "--json", "--frob", "-h");
    assertThat(run.status()).isZero();
    assertThat(run.out()).startsWith("Usage: functorrent info ").contains("--fetch");
  }

  @Test
  void versionOnTheProgramAndOnEachSubcommand() {
    for (String version : List.of("--version", "-V")) {
      CommandRun ofProgram = program(version);
      assertThat(ofProgram.status()).isZero();
      assertThat(ofProgram.out()).isEqualTo("functorrent development\n");
      for (CommandSpec subcommand : SUBCOMMANDS) {
        CommandRun run = program(subcommand.name(), version);
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("functorrent development\n");
      }
    }
  }

  @Test
  void aUsageErrorIsTwoLinesNamingTheSubcommandsHelp() {
    assertThat(program("info", "--port", "x").err())
        .isEqualTo(
            "functorrent: Invalid value for option '--port': 'x' is not an int\n"
                + "Try 'functorrent info --help'.\n");
    CommandRun unknown = program("create", "--frob", "x", "-o", "y");
    assertThat(unknown.status()).isEqualTo(FuncTorrentCommand.EXIT_USAGE);
    assertThat(unknown.err())
        .isEqualTo("functorrent: Unknown option: '--frob'\nTry 'functorrent create --help'.\n");
    assertThat(unknown.out()).isEmpty();
    CommandRun missing = program("tracker", "--port");
    assertThat(missing.status()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            "functorrent: Missing required parameter for option '--port' (P)\n"
                + "Try 'functorrent tracker --help'.\n");
    CommandRun extra = program("info", "a", "b");
    assertThat(extra.status()).isEqualTo(2);
    assertThat(extra.err()).startsWith("functorrent: Unmatched argument at index 2: 'b'\n");
    CommandRun twice = program("demo", "--size", "1", "--size", "2");
    assertThat(twice.status()).isEqualTo(2);
    assertThat(twice.err())
        .startsWith("functorrent: option '--size' (MIB) should be specified only once\n");
    CommandRun versionFirst = program("--version", "x");
    assertThat(versionFirst.status()).isZero();
    assertThat(versionFirst.out()).isEqualTo("functorrent development\n");
    CommandRun badFile = program("download", "--file", "x", "a.torrent");
    assertThat(badFile.err())
        .isEqualTo(
            "functorrent: Invalid value for option '--file' (N): 'x' is not an int\n"
                + "Try 'functorrent download --help'.\n");
  }

  @Test
  void aUsageErrorFoundWhileRunningIsStatusTwoToo() {
    CommandRun run = program("info", "some.torrent", "--fetch");
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "functorrent: --fetch and -o are for magnet links (expected: magnet:?...)\n"
                + "Try 'functorrent info --help'.\n");
  }

  @Test
  void withoutASubcommandTheArgumentsAreTheDownloadCommands() {
    CommandRun badPort = program("--port", "x");
    assertThat(badPort.status()).isEqualTo(2);
    assertThat(badPort.err())
        .isEqualTo(
            "functorrent: Invalid value for option '--port': 'x' is not an int\n"
                + "Try 'functorrent download --help'.\n");
    CommandRun unknown = program("--frob");
    assertThat(unknown.err()).startsWith("functorrent: Unknown option: '--frob'\n")
        .endsWith("Try 'functorrent download --help'.\n");
    // The arguments of download, indexed as if "download" had been typed.
    assertThat(program("a.torrent", "b").err())
        .startsWith("functorrent: Unmatched argument at index 2: 'b'\n");
    // Clustered flags are not the program's -h or -V: they go to download, which shows its help.
    CommandRun clustered = program("-hV");
    assertThat(clustered.status()).isZero();
    assertThat(clustered.out()).startsWith("Usage: functorrent download ");
    // No arguments and no terminal: download reads standard input.
    CommandRun stdin = program();
    assertThat(stdin.status()).isEqualTo(1);
    assertThat(stdin.err()).startsWith("functorrent: standard input: malformed bencode at byte 0");
    CommandRun seed = program("seed", "-");
    assertThat(seed.status()).isEqualTo(1);
    assertThat(seed.err()).startsWith("functorrent: standard input: ");
  }
}
