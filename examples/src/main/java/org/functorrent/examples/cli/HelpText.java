package org.functorrent.examples.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A command's {@code --help}: the usage line (every option, the repeatable ones with {@code ...},
 * the optional ones in brackets), the description, one aligned line per option and parameter, and
 * the subcommands. The usage line wraps at {@value #USAGE_WIDTH} columns, the rest at {@value
 * #TEXT_WIDTH}.
 */
final class HelpText {
  static final int USAGE_WIDTH = 80;
  static final int TEXT_WIDTH = 79;

  /** Options sort on their shortest name without dashes, case aside: --fetch, -h, --json. */
  private static final Comparator<Option<?>> BY_NAME =
      Comparator.comparing(Option::sortKey, String.CASE_INSENSITIVE_ORDER);

  private HelpText() {}

  /** The help of {@code command}, whose usage line calls it {@code commandPath}. */
  static String of(CommandSpec command, String commandPath) {
    List<Option<?>> options = new ArrayList<>(command.options());
    options.sort(BY_NAME);
    StringBuilder out = new StringBuilder();
    String usage = "Usage: " + commandPath;
    wrap(out, synopsis(command, options), usage + " ", usage.length() + 1, USAGE_WIDTH);
    wrap(out, words(command.description()), "", 0, TEXT_WIDTH);

    List<Option<?>> rows = new ArrayList<>(command.positionals());
    rows.addAll(options);
    int width = 0;
    for (Option<?> row : rows) {
      width = Math.max(width, longColumn(row).length());
    }
    for (Option<?> row : rows) {
      String shortName = row.isPositional() ? null : row.shortName();
      String left =
          "  " + (shortName == null ? "    " : shortName + ", ") + pad(longColumn(row), width)
              + "   ";
      wrap(out, words(row.description()), left, left.length() + 2, TEXT_WIDTH);
    }

    if (!command.subcommands().isEmpty()) {
      out.append("Commands:\n");
      int names = 0;
      for (CommandSpec subcommand : command.subcommands()) {
        names = Math.max(names, subcommand.name().length());
      }
      for (CommandSpec subcommand : command.subcommands()) {
        String left = "  " + pad(subcommand.name(), names) + "  ";
        wrap(out, words(subcommand.description()), left, left.length() + 2, TEXT_WIDTH);
      }
    }
    return out.toString();
  }

  /** The words of the usage line after the command's name. */
  private static List<String> synopsis(CommandSpec command, List<Option<?>> options) {
    List<String> words = new ArrayList<>();
    StringBuilder shortFlags = new StringBuilder();
    for (Option<?> o : options) {
      if (!o.takesValue() && o.shortName() != null && !o.isRequired()) {
        shortFlags.append(o.shortName().charAt(1));
      }
    }
    if (shortFlags.length() > 0) {
      words.add("[-" + shortFlags + "]");
    }
    for (Option<?> o : options) {
      if (!o.takesValue() && (o.shortName() == null || o.isRequired())) {
        words.add(optional(o, o.longestName()));
      }
    }
    for (Option<?> o : options) {
      if (o.takesValue() && !o.isRepeatable()) {
        words.add(optional(o, synopsisName(o)));
      }
    }
    for (Option<?> o : options) {
      if (o.isRepeatable()) {
        words.add(optional(o, synopsisName(o)) + "...");
      }
    }
    for (Option<?> p : command.positionals()) {
      words.add(optional(p, p.label()));
    }
    if (!command.subcommands().isEmpty()) {
      words.add("[COMMAND]");
    }
    return words;
  }

  private static String synopsisName(Option<?> o) {
    return (o.shortName() != null ? o.shortName() : o.longestName()) + "=" + o.label();
  }

  private static String optional(Option<?> o, String text) {
    return o.isRequired() ? text : "[" + text + "]";
  }

  /** {@code --output=OUT} for an option (its short name goes before); a positional's label. */
  private static String longColumn(Option<?> row) {
    if (row.isPositional()) {
      return row.isRequired() ? row.label() : "[" + row.label() + "]";
    }
    String name = row.longestName().equals(row.shortName()) ? "" : row.longestName();
    return name + (row.takesValue() ? "=" + row.label() : "");
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(width - text.length());
  }

  private static List<String> words(String text) {
    return List.of(text.split(" "));
  }

  /**
   * Appends {@code words} as lines of at most {@code width} columns: the first after {@code
   * first}, the others indented by {@code indent}. A word longer than a line gets one of its own.
   */
  private static void wrap(
      StringBuilder out, List<String> words, String first, int indent, int width) {
    StringBuilder line = new StringBuilder(first);
    boolean empty = true;
    for (String word : words) {
      if (word.isEmpty()) {
        continue;
      }
      if (!empty && line.length() + 1 + word.length() > width) {
        out.append(line).append('\n');
        line.setLength(0);
        line.append(" ".repeat(indent));
        empty = true;
      }
      line.append(empty ? "" : " ").append(word);
      empty = false;
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }
}
