package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command-line parser: {@link CommandSpec}, {@link Option}, {@link ParsedArgs}. */
class CommandSpecTest {
  private static final Option<String> FILE = Option.positional("FILE", "The input.");
  private static final Option<Integer> PORT =
      Option.integer("--port", "P", "Listen port.").withDefault(6881);
  private static final Option<String> BIND = Option.string("--bind", "ADDR", "Address.");
  private static final Option<Path> OUTPUT = Option.path("-o, --output", "OUT", "Where.");
  private static final Option<String> PEER =
      Option.string("-p, --peer", "HOST:PORT", "A peer (repeatable).").repeatable();
  private static final Option<Integer> SKIP =
      Option.integer("--skip", "N", "Skip a file (repeatable).").repeatable();
  private static final Option<Boolean> JSON = Option.flag("-j, --json", "JSON.");
  private static final Option<Boolean> SEED = Option.flag("--seed", "Seed.");

  private static final CommandSpec COMMAND =
      new CommandSpec(
          "get", "Gets things.", List.of(FILE, PORT, BIND, OUTPUT, PEER, SKIP, JSON, SEED));

  private static final Option<Path> PATH = Option.positionalPath("PATH", "What.").required();
  private static final Option<Path> REQUIRED_OUTPUT =
      Option.path("-o, --output", "OUT", "Where.").required();
  private static final CommandSpec STRICT =
      new CommandSpec("make", "Makes things.", List.of(PATH, REQUIRED_OUTPUT));

  private static final CommandSpec PROGRAM =
      new CommandSpec("prog", "A program.", List.of(), List.of(COMMAND, STRICT));

  /** Parses a whole, complete command line of {@link #COMMAND}. */
  private static ParsedArgs parse(String... args) {
    ParsedArgs parsed = COMMAND.parse(List.of(args), 0);
    parsed.checkComplete();
    return parsed;
  }

  private static String usageError(CommandSpec command, String... args) {
    try {
      command.parse(List.of(args), 0).checkComplete();
    } catch (UsageException e) {
      return e.getMessage();
    }
    throw new AssertionError("no usage error for " + List.of(args));
  }

  @Test
  void valuesComeSeparateOrAfterAnEqualsSign() {
    assertThat(parse("--port", "7000").get(PORT)).isEqualTo(7000);
    assertThat(parse("--port=7000").get(PORT)).isEqualTo(7000);
    assertThat(parse("--bind=a=b").get(BIND)).isEqualTo("a=b");
    assertThat(parse("--bind=").get(BIND)).isEmpty();
    assertThat(parse("-o", "x.torrent").get(OUTPUT)).isEqualTo(Path.of("x.torrent"));
    assertThat(parse("--output", "x.torrent").get(OUTPUT)).isEqualTo(Path.of("x.torrent"));
    assertThat(parse("-ox.torrent").get(OUTPUT)).isEqualTo(Path.of("x.torrent"));
    assertThat(parse("-o=x.torrent").get(OUTPUT)).isEqualTo(Path.of("x.torrent"));
    // A value may start with a dash when it is not one of the command's options.
    assertThat(parse("--port", "-1").get(PORT)).isEqualTo(-1);
    assertThat(parse("--bind", "--frob").get(BIND)).isEqualTo("--frob");
  }

  @Test
  void optionsNotGivenHaveTheirDefaults() {
    ParsedArgs parsed = parse();
    assertThat(parsed.get(PORT)).isEqualTo(6881);
    assertThat(parsed.get(BIND)).isNull();
    assertThat(parsed.get(OUTPUT)).isNull();
    assertThat(parsed.get(FILE)).isNull();
    assertThat(parsed.get(JSON)).isFalse();
    assertThat(parsed.all(PEER)).isEmpty();
    assertThat(parsed.has(PORT)).isFalse();
    assertThat(parsed.helpRequested()).isFalse();
    assertThat(parsed.versionRequested()).isFalse();
    assertThat(parsed.subcommand()).isNull();
  }

  @Test
  void flagsAreTrueWhenGivenAndTakeTrueOrFalseAfterAnEqualsSign() {
    assertThat(parse("--seed").get(SEED)).isTrue();
    assertThat(parse("--seed=true").get(SEED)).isTrue();
    assertThat(parse("--seed=FALSE").get(SEED)).isFalse();
    assertThat(parse("--seed").get(JSON)).isFalse();
    assertThat(usageError(COMMAND, "--seed=yes"))
        .isEqualTo("Invalid value for option '--seed': 'yes' is not a boolean");
  }

  @Test
  void shortFlagsClusterAndTheLastMayTakeAValue() {
    ParsedArgs parsed = parse("-jV");
    assertThat(parsed.get(JSON)).isTrue();
    assertThat(parsed.versionRequested()).isTrue();
    ParsedArgs withValue = parse("-jox.torrent");
    assertThat(withValue.get(JSON)).isTrue();
    assertThat(withValue.get(OUTPUT)).isEqualTo(Path.of("x.torrent"));
    ParsedArgs nextWord = parse("-jo", "y.torrent");
    assertThat(nextWord.get(OUTPUT)).isEqualTo(Path.of("y.torrent"));
    assertThat(usageError(COMMAND, "-xj")).isEqualTo("Unknown option: '-xj'");
    assertThat(usageError(COMMAND, "-jx")).isEqualTo("Unknown option: '-x'");
  }

  @Test
  void repeatableOptionsKeepEveryValueInOrder() {
    ParsedArgs parsed =
        parse("--peer", "a:1", "-p", "b:2", "--skip", "3", "--peer=c:3", "-pd:4", "--skip=1");
    assertThat(parsed.all(PEER)).containsExactly("a:1", "b:2", "c:3", "d:4");
    assertThat(parsed.all(SKIP)).containsExactly(3, 1);
  }

  @Test
  void anOptionThatDoesNotRepeatIsGivenOnce() {
    assertThat(usageError(COMMAND, "--port", "1", "--port=2"))
        .isEqualTo("option '--port' (P) should be specified only once");
    assertThat(usageError(COMMAND, "-o", "a", "--output", "b"))
        .isEqualTo("option '--output' (OUT) should be specified only once");
    assertThat(usageError(COMMAND, "--seed", "--seed"))
        .isEqualTo("option '--seed' should be specified only once");
  }

  @Test
  void aMissingValueSaysWhichOption() {
    assertThat(usageError(COMMAND, "--port"))
        .isEqualTo("Missing required parameter for option '--port' (P)");
    assertThat(usageError(COMMAND, "file", "-o"))
        .isEqualTo("Missing required parameter for option '--output' (OUT)");
    assertThat(usageError(COMMAND, "--port", "--seed"))
        .isEqualTo("Expected parameter for option '--port' but found '--seed'");
    assertThat(usageError(COMMAND, "--bind", "--port=3"))
        .isEqualTo("Expected parameter for option '--bind' but found '--port=3'");
  }

  @Test
  void aMalformedNumberSaysWhichOptionAndValue() {
    assertThat(usageError(COMMAND, "--port", "x"))
        .isEqualTo("Invalid value for option '--port': 'x' is not an int");
    assertThat(usageError(COMMAND, "--port=99999999999"))
        .isEqualTo("Invalid value for option '--port': '99999999999' is not an int");
    assertThat(usageError(COMMAND, "--port="))
        .isEqualTo("Invalid value for option '--port': '' is not an int");
    assertThat(usageError(COMMAND, "--skip", "1", "--skip", "two"))
        .isEqualTo("Invalid value for option '--skip' (N): 'two' is not an int");
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    assertThat(usageError(COMMAND, "--frob")).isEqualTo("Unknown option: '--frob'");
    assertThat(usageError(COMMAND, "file", "--frob=3")).isEqualTo("Unknown option: '--frob=3'");
    assertThat(usageError(COMMAND, "--Port", "3")).isEqualTo("Unknown option: '--Port'");
    assertThat(usageError(COMMAND, "--frob", "-x"))
        .isEqualTo("Unknown options: '--frob', '-x'");
    // Options do not abbreviate.
    assertThat(usageError(COMMAND, "--por", "3")).isEqualTo("Unknown option: '--por'");
  }

  @Test
  void positionalsComeAnywhereAndExtraOnesAreUsageErrors() {
    assertThat(parse("a.torrent").get(FILE)).isEqualTo("a.torrent");
    ParsedArgs mixed = parse("--seed", "a.torrent", "--port", "1");
    assertThat(mixed.get(FILE)).isEqualTo("a.torrent");
    assertThat(mixed.get(PORT)).isEqualTo(1);
    assertThat(mixed.get(SEED)).isTrue();
    assertThat(parse("-").get(FILE)).isEqualTo("-");
    assertThat(parse("-5").get(FILE)).isEqualTo("-5");
    assertThat(parse("--", "--seed").get(FILE)).isEqualTo("--seed");
    ParsedArgs afterDashes = parse("--seed", "--", "-x");
    assertThat(afterDashes.get(SEED)).isTrue();
    assertThat(afterDashes.get(FILE)).isEqualTo("-x");
    assertThat(usageError(COMMAND, "a", "b")).isEqualTo("Unmatched argument at index 1: 'b'");
    assertThat(usageError(COMMAND, "a", "--seed", "b", "c"))
        .isEqualTo("Unmatched arguments from index 2: 'b', 'c'");
  }

  @Test
  void requiredOptionsAndParametersAreNamedWhenMissing() {
    assertThat(usageError(STRICT)).isEqualTo(
        "Missing required options and parameters: '--output=OUT', 'PATH'");
    assertThat(usageError(STRICT, "data")).isEqualTo("Missing required option: '--output=OUT'");
    assertThat(usageError(STRICT, "-o", "x")).isEqualTo("Missing required parameter: 'PATH'");
    // Missing beats unknown, as it did with picocli.
    assertThat(usageError(STRICT, "data", "--frob"))
        .isEqualTo("Missing required option: '--output=OUT'");
    ParsedArgs complete = STRICT.parse(List.of("data", "-o", "x"), 0);
    complete.checkComplete();
    assertThat(complete.get(PATH)).isEqualTo(Path.of("data"));
    assertThat(complete.get(REQUIRED_OUTPUT)).isEqualTo(Path.of("x"));
  }

  @Test
  void helpWinsOverUnknownOptionsExtraArgumentsAndMissingOnesButNotOverBadValues() {
    for (List<String> args :
        List.of(
            List.of("--help"),
            List.of("-h"),
            List.of("--frob", "--help"),
            List.of("a", "b", "c", "-h"),
            List.of("-hx"))) {
      ParsedArgs parsed = COMMAND.parse(args, 0);
      assertThat(parsed.helpRequested()).as("%s", args).isTrue();
    }
    assertThat(STRICT.parse(List.of("-h"), 0).helpRequested()).isTrue();
    assertThatThrownBy(() -> COMMAND.parse(List.of("--help", "--port", "x"), 0))
        .isInstanceOf(UsageException.class)
        .hasMessage("Invalid value for option '--port': 'x' is not an int");
    assertThat(COMMAND.parse(List.of("--version", "--frob"), 0).versionRequested()).isTrue();
  }

  @Test
  void aSubcommandNameEndsTheProgramsPartAndIndexesCountFromTheWholeLine() {
    List<String> line = List.of("--version", "get", "a", "b");
    ParsedArgs program = PROGRAM.parse(line, 0);
    assertThat(program.versionRequested()).isTrue();
    assertThat(program.subcommand()).isSameAs(COMMAND);
    assertThat(program.subcommandIndex()).isEqualTo(2);
    ParsedArgs get = COMMAND.parse(line, program.subcommandIndex());
    assertThat(get.get(FILE)).isEqualTo("a");
    assertThatThrownBy(get::checkComplete).hasMessage("Unmatched argument at index 3: 'b'");
    // Only the program's own options and its subcommands' names are its.
    assertThat(PROGRAM.parse(List.of("x"), 0).subcommand()).isNull();
    assertThatThrownBy(PROGRAM.parse(List.of("x"), 0)::checkComplete)
        .hasMessage("Unmatched argument at index 0: 'x'");
    assertThat(PROGRAM.parse(List.of("--", "get"), 0).subcommand()).isNull();
  }

  @Test
  void valuesAreReadThroughTheRightAccessorOfADeclaredOption() {
    ParsedArgs parsed = parse("--peer", "a:1");
    assertThatThrownBy(() -> parsed.get(PEER)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> parsed.all(PORT)).isInstanceOf(IllegalArgumentException.class);
    Option<Integer> other = Option.integer("--other", "N", "Not declared.");
    assertThatThrownBy(() -> parsed.get(other)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CommandSpec("x", "Twice.", List.of(PORT, PORT)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--port declared twice");
    assertThatThrownBy(() -> Option.flag("port", "No dash."))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SEED.repeatable()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void helpTextAlignsTheOptionsAndWrapsLongLines() {
    Option<String> tracker =
        Option.string(
                "-t, --tracker",
                "URL",
                "A tracker URL; repeat for more tiers, or give a tier as URL,URL, which is a"
                    + " long description.")
            .repeatable();
    CommandSpec create =
        new CommandSpec(
            "create",
            "Creates a .torrent of a file or a directory.",
            List.of(PATH, tracker, SEED, REQUIRED_OUTPUT, PORT));
    assertThat(HelpText.of(create, "functorrent create"))
        .isEqualTo(
            String.join(
                "\n",
                "Usage: functorrent create [-hV] [--seed] -o=OUT [--port=P] [-t=URL]... PATH",
                "Creates a .torrent of a file or a directory.",
                "      PATH            What.",
                "  -h, --help          Show this help message and exit.",
                "  -o, --output=OUT    Where.",
                "      --port=P        Listen port.",
                "      --seed          Seed.",
                "  -t, --tracker=URL   A tracker URL; repeat for more tiers, or give a tier as",
                "                        URL,URL, which is a long description.",
                "  -V, --version       Print version information and exit.",
                ""));
    assertThat(HelpText.of(PROGRAM, "prog"))
        .isEqualTo(
            String.join(
                "\n",
                "Usage: prog [-hV] [COMMAND]",
                "A program.",
                "  -h, --help      Show this help message and exit.",
                "  -V, --version   Print version information and exit.",
                "Commands:",
                "  get   Gets things.",
                "  make  Makes things.",
                ""));
  }

  @Test
  void theUsageLineWrapsUnderTheCommandName() {
    String help = HelpText.of(COMMAND, "functorrent get");
    assertThat(help)
        .startsWith(
            "Usage: functorrent get [-hjV] [--seed] [--bind=ADDR] [-o=OUT] [--port=P]\n"
                + "                       [-p=HOST:PORT]... [--skip=N]... [FILE]\n"
                + "Gets things.\n");
    assertThat(help.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
  }
}
