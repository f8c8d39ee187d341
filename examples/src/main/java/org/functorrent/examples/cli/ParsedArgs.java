package org.functorrent.examples.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One command's part of a command line, parsed ({@link CommandSpec#parse}): the values of its
 * options and positional parameters, and the subcommand that follows, if any.
 */
final class ParsedArgs {
  private final CommandSpec command;
  private final Map<Option<?>, List<Object>> values = new HashMap<>();
  private CommandSpec subcommand;
  private int subcommandIndex = -1;
  private String incomplete;

  ParsedArgs(CommandSpec command) {
    this.command = command;
  }

  /** The command these are the arguments of. */
  CommandSpec command() {
    return command;
  }

  /** The value of an option that does not repeat: the one given, else its default. */
  <T> T get(Option<T> option) {
    if (option.isRepeatable()) {
      throw new IllegalArgumentException(option + " repeats: all() gives its values");
    }
    List<T> given = given(option);
    return given.isEmpty() ? option.defaultValue() : given.get(0);
  }

  /** Every value of a repeatable option, in command-line order; empty if none was given. */
  <T> List<T> all(Option<T> option) {
    if (!option.isRepeatable()) {
      throw new IllegalArgumentException(option + " does not repeat: get() gives its value");
    }
    return given(option);
  }

  /** Whether the command line gave {@code option}. */
  boolean has(Option<?> option) {
    return values.containsKey(option);
  }

  /** {@code -h} or {@code --help}. */
  boolean helpRequested() {
    return get(CommandSpec.HELP);
  }

  /** {@code -V} or {@code --version}. */
  boolean versionRequested() {
    return get(CommandSpec.VERSION);
  }

  /** The subcommand named on the command line, or {@code null}. */
  CommandSpec subcommand() {
    return subcommand;
  }

  /** The index of the subcommand's first argument (after its name) in the command line. */
  int subcommandIndex() {
    return subcommandIndex;
  }

  /**
   * Throws what the command line lacks (a required option or parameter) or has too much of (an
   * unknown option, an extra argument); these wait until it is known that no help is asked for.
   */
  void checkComplete() {
    if (incomplete != null) {
      throw new UsageException(incomplete);
    }
  }

  @SuppressWarnings("unchecked") // values.get(option) holds values of option's type only
  private <T> List<T> given(Option<T> option) {
    if (!option.isPositional()
        ? !command.options().contains(option)
        : !command.positionals().contains(option)) {
      throw new IllegalArgumentException(option + " is not an option of " + command.name());
    }
    List<Object> list = values.get(option);
    return list == null ? List.of() : (List<T>) (List<?>) List.copyOf(list);
  }

  void add(Option<?> option, Object value) {
    List<Object> list = values.get(option);
    if (list == null) {
      list = new ArrayList<>();
      values.put(option, list);
    }
    list.add(value);
  }

  void subcommand(CommandSpec subcommand, int index) {
    this.subcommand = subcommand;
    this.subcommandIndex = index;
  }

  void incomplete(String message) {
    this.incomplete = message;
  }
}
