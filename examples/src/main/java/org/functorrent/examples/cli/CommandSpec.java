package org.functorrent.examples.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one command of the program accepts: its name, its description, its options and positional
 * parameters, and its subcommands; and the parser of its part of a command line.
 *
 * <p>The rules are the usual ones: {@code --opt value} and {@code --opt=value}; a short name takes
 * its value attached too ({@code -oOUT}, {@code -o=OUT}), and short flags cluster ({@code -hV});
 * {@code --flag=true|false}; a word after {@code --} is positional even if it starts with a dash,
 * and so are {@code -} and negative numbers; options and positionals mix in any order. An option
 * that does not repeat may be given once. Every command has {@code -h, --help} and
 * {@code -V, --version}, which win over an unknown option, an extra argument or a missing required
 * one (but not over a malformed value).
 */
final class CommandSpec {
  /** {@code -h, --help}: every command's. */
  static final Option<Boolean> HELP = Option.flag("-h, --help", "Show this help message and exit.");

  /** {@code -V, --version}: every command's. */
  static final Option<Boolean> VERSION =
      Option.flag("-V, --version", "Print version information and exit.");

  private final String name;
  private final String description;
  private final List<Option<?>> options = new ArrayList<>();
  private final List<Option<?>> positionals = new ArrayList<>();
  private final Map<String, Option<?>> byName = new HashMap<>();
  private final List<CommandSpec> subcommands;

  /**
   * A command named {@code name} taking {@code parameters} (options and positionals, positionals
   * in their order on the command line) besides help and version.
   */
  CommandSpec(String name, String description, List<Option<?>> parameters) {
    this(name, description, parameters, List.of());
  }

  /** A command whose first word that is not an option may name one of {@code subcommands}. */
  CommandSpec(
      String name, String description, List<Option<?>> parameters, List<CommandSpec> subcommands) {
    this.name = name;
    this.description = description;
    this.subcommands = List.copyOf(subcommands);
    List<Option<?>> all = new ArrayList<>(parameters);
    all.add(HELP);
    all.add(VERSION);
    for (Option<?> option : all) {
      if (option.isPositional()) {
        positionals.add(option);
        continue;
      }
      options.add(option);
      for (String n : option.names()) {
        if (byName.put(n, option) != null) {
          throw new IllegalArgumentException(name + ": option " + n + " declared twice");
        }
      }
    }
  }

  String name() {
    return name;
  }

  String description() {
    return description;
  }

  /** The named options, help and version included, in declaration order. */
  List<Option<?>> options() {
    return options;
  }

  List<Option<?>> positionals() {
    return positionals;
  }

  List<CommandSpec> subcommands() {
    return subcommands;
  }

  /** The subcommand called {@code word}, or {@code null}. */
  CommandSpec subcommand(String word) {
    for (CommandSpec subcommand : subcommands) {
      if (subcommand.name.equals(word)) {
        return subcommand;
      }
    }
    return null;
  }

  /** Whether the command has an option called {@code word} ({@code --port}, {@code -o}). */
  boolean hasOption(String word) {
    return byName.containsKey(word);
  }

  /**
   * Parses {@code args} from index {@code from} up to the end or to a subcommand's name.
   * Indexes in messages are those in {@code args}.
   *
   * @throws UsageException for a value that is missing, malformed or given twice; an unknown
   *     option, an extra argument or a missing required parameter is only recorded (see {@link
   *     ParsedArgs#checkComplete}), since {@code --help} wins over those
   */
  ParsedArgs parse(List<String> args, int from) {
    ParsedArgs parsed = new ParsedArgs(this);
    List<String> unknown = new ArrayList<>();
    List<String> unmatched = new ArrayList<>();
    int firstUnmatched = -1;
    int positional = 0;
    boolean endOfOptions = false;
    for (int i = from; i < args.size(); i++) {
      String arg = args.get(i);
      if (!endOfOptions && arg.equals("--")) {
        endOfOptions = true;
      } else if (!endOfOptions && looksLikeOption(arg)) {
        i = option(args, i, parsed, unknown);
      } else if (!endOfOptions && subcommand(arg) != null) {
        parsed.subcommand(subcommand(arg), i + 1);
        break;
      } else if (positional < positionals.size()) {
        Option<?> parameter = positionals.get(positional);
        parsed.add(parameter, convert(parameter, arg, positional));
        positional++;
      } else {
        if (unmatched.isEmpty()) {
          firstUnmatched = i;
        }
        unmatched.add(arg);
      }
    }
    parsed.incomplete(incompleteMessage(parsed, unknown, unmatched, firstUnmatched));
    return parsed;
  }

  /** Parses the option at {@code args[i]}; returns the index of the last word it took. */
  private int option(List<String> args, int i, ParsedArgs parsed, List<String> unknown) {
    String arg = args.get(i);
    Option<?> option = byName.get(arg);
    String attached = null;
    int equals = arg.indexOf('=');
    if (option == null && equals > 0) {
      option = byName.get(arg.substring(0, equals));
      if (option != null) {
        attached = arg.substring(equals + 1);
      }
    }
    if (option == null && !arg.startsWith("--") && arg.length() > 2) {
      return shortOptions(args, i, parsed, unknown);
    }
    if (option == null) {
      unknown.add(arg);
      return i;
    }
    return value(option, attached, args, i, parsed);
  }

  /** {@code -hV}: short flags together, the last of which may take a value ({@code -oOUT}). */
  private int shortOptions(List<String> args, int i, ParsedArgs parsed, List<String> unknown) {
    String arg = args.get(i);
    for (int c = 1; c < arg.length(); c++) {
      Option<?> option = byName.get("-" + arg.charAt(c));
      if (option == null) {
        unknown.add(c == 1 ? arg : "-" + arg.substring(c));
        return i;
      }
      if (option.takesValue()) {
        String rest = arg.substring(c + 1);
        return value(option, rest.isEmpty() ? null : rest, args, i, parsed);
      }
      set(parsed, option, Boolean.TRUE);
    }
    return i;
  }

  /** Takes the value of {@code option}: attached, or the next word. */
  private int value(
      Option<?> option, String attached, List<String> args, int i, ParsedArgs parsed) {
    if (!option.takesValue()) {
      set(parsed, option, attached == null ? Boolean.TRUE : convert(option, attached, -1));
      return i;
    }
    String word = attached;
    int last = i;
    if (word == null) {
      if (i + 1 >= args.size()) {
        throw new UsageException(
            "Missing required parameter for option '" + option.longestName() + "' ("
                + option.label() + ")");
      }
      word = args.get(i + 1);
      if (isOptionName(word)) {
        throw new UsageException(
            "Expected parameter for option '" + option.longestName() + "' but found '" + word
                + "'");
      }
      last = i + 1;
    }
    set(parsed, option, convert(option, word, -1));
    return last;
  }

  private static void set(ParsedArgs parsed, Option<?> option, Object value) {
    if (!option.isRepeatable() && parsed.has(option)) {
      throw new UsageException(
          "option '" + option.longestName() + "'"
              + (option.takesValue() ? " (" + option.label() + ")" : "")
              + " should be specified only once");
    }
    parsed.add(option, value);
  }

  /** The value of {@code word}; {@code index} is a positional's, -1 for an option. */
  private static Object convert(Option<?> option, String word, int index) {
    try {
      return option.type().convert(word);
    } catch (IllegalArgumentException e) {
      String what =
          option.isPositional()
              ? "positional parameter at index " + index + " (" + option.label() + ")"
              : "option '" + option.longestName() + "'"
                  + (option.isRepeatable() ? " (" + option.label() + ")" : "");
      throw new UsageException("Invalid value for " + what + ": " + e.getMessage());
    }
  }

  /** Whether {@code word} is one of this command's options, alone or with {@code =value}. */
  private boolean isOptionName(String word) {
    int equals = word.indexOf('=');
    return byName.containsKey(word)
        || (equals > 0 && byName.containsKey(word.substring(0, equals)));
  }

  /** A word starting with a dash, other than "-" alone and a negative number. */
  private static boolean looksLikeOption(String word) {
    if (word.length() < 2 || word.charAt(0) != '-') {
      return false;
    }
    boolean digits = true;
    boolean point = false;
    for (int i = 1; i < word.length() && digits; i++) {
      char c = word.charAt(i);
      if (c == '.' && !point && i > 1 && i < word.length() - 1) {
        point = true;
      } else {
        digits = c >= '0' && c <= '9';
      }
    }
    return !digits;
  }

  /** What the command line lacks or has too much of, or {@code null}. */
  private String incompleteMessage(
      ParsedArgs parsed, List<String> unknown, List<String> unmatched, int firstUnmatched) {
    List<String> missingOptions = new ArrayList<>();
    for (Option<?> option : options) {
      if (option.isRequired() && !parsed.has(option)) {
        missingOptions.add(option.display());
      }
    }
    List<String> missingParameters = new ArrayList<>();
    for (Option<?> parameter : positionals) {
      if (parameter.isRequired() && !parsed.has(parameter)) {
        missingParameters.add(parameter.display());
      }
    }
    if (!missingOptions.isEmpty() && !missingParameters.isEmpty()) {
      List<String> both = new ArrayList<>(missingOptions);
      both.addAll(missingParameters);
      return "Missing required options and parameters: " + quoted(both);
    }
    if (!missingOptions.isEmpty()) {
      return "Missing required option" + (missingOptions.size() == 1 ? "" : "s") + ": "
          + quoted(missingOptions);
    }
    if (!missingParameters.isEmpty()) {
      return "Missing required parameter" + (missingParameters.size() == 1 ? "" : "s") + ": "
          + quoted(missingParameters);
    }
    if (!unknown.isEmpty()) {
      return "Unknown option" + (unknown.size() == 1 ? "" : "s") + ": " + quoted(unknown);
    }
    if (unmatched.size() == 1) {
      return "Unmatched argument at index " + firstUnmatched + ": " + quoted(unmatched);
    }
    if (!unmatched.isEmpty()) {
      return "Unmatched arguments from index " + firstUnmatched + ": " + quoted(unmatched);
    }
    return null;
  }

  private static String quoted(List<String> words) {
    StringBuilder out = new StringBuilder();
    for (String word : words) {
      out.append(out.length() == 0 ? "'" : ", '").append(word).append('\'');
    }
    return out.toString();
  }
}
