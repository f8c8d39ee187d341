package org.functorrent.examples.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * One option of a command ({@code --port P}, {@code -o, --output OUT}, {@code --seed}) or one
 * positional parameter ({@code FILE}): its names, the type of its value, its default, whether it
 * may be repeated or is required, and its help line. Immutable; a command's {@link CommandSpec}
 * lists its options, and {@link ParsedArgs#get} gives an option's value by this declaration.
 *
 * @param <T> the type of one value
 */
final class Option<T> {
  /** The type of an option's value, and how a command-line word becomes one. */
  enum Type {
    /** No value: present or not ({@code --flag=true} and {@code --flag=false} also work). */
    FLAG,
    STRING,
    INT,
    PATH;

    /** The value of {@code word}; an {@link IllegalArgumentException} says what is wrong. */
    Object convert(String word) {
      switch (this) {
        case FLAG:
          if (word.equalsIgnoreCase("true") || word.equalsIgnoreCase("false")) {
            return Boolean.valueOf(word);
          }
          throw new IllegalArgumentException("'" + word + "' is not a boolean");
        case INT:
          try {
            return Integer.valueOf(word);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + word + "' is not an int");
          }
        case PATH:
          try {
            return Path.of(word);
          } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + word + "' is not a path: " + e.getReason());
          }
        default:
          return word;
      }
    }
  }

  private final List<String> names;
  private final String label;
  private final Type type;
  private final boolean repeatable;
  private final boolean required;
  private final T defaultValue;
  private final String description;

  private Option(
      List<String> names,
      String label,
      Type type,
      boolean repeatable,
      boolean required,
      T defaultValue,
      String description) {
    this.names = names;
    this.label = label;
    this.type = type;
    this.repeatable = repeatable;
    this.required = required;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** A flag such as {@code --seed}: {@code false} unless given. */
  static Option<Boolean> flag(String names, String description) {
    return new Option<>(split(names), null, Type.FLAG, false, false, false, description);
  }

  /** An option with a text value, such as {@code --bind ADDR}; {@code null} unless given. */
  static Option<String> string(String names, String label, String description) {
    return new Option<>(split(names), label, Type.STRING, false, false, null, description);
  }

  /** An option with an {@code int} value, such as {@code --port P}; {@code null} unless given. */
  static Option<Integer> integer(String names, String label, String description) {
    return new Option<>(split(names), label, Type.INT, false, false, null, description);
  }

  /** An option with a file name as its value, such as {@code --dir D}. */
  static Option<Path> path(String names, String label, String description) {
    return new Option<>(split(names), label, Type.PATH, false, false, null, description);
  }

  /** A positional parameter: the next word that is not an option. */
  static Option<String> positional(String label, String description) {
    return new Option<>(List.of(), label, Type.STRING, false, false, null, description);
  }

  /** A positional parameter naming a file. */
  static Option<Path> positionalPath(String label, String description) {
    return new Option<>(List.of(), label, Type.PATH, false, false, null, description);
  }

  /** This option with the value it has when not given. */
  Option<T> withDefault(T value) {
    return new Option<>(names, label, type, repeatable, required, value, description);
  }

  /** This option, which may be given any number of times ({@link ParsedArgs#all}). */
  Option<T> repeatable() {
    if (type == Type.FLAG || names.isEmpty()) {
      throw new IllegalStateException("only an option with a value repeats: " + this);
    }
    return new Option<>(names, label, type, true, required, defaultValue, description);
  }

  /** This option or parameter, which the command line must give. */
  Option<T> required() {
    return new Option<>(names, label, type, repeatable, true, defaultValue, description);
  }

  private static List<String> split(String names) {
    List<String> list = List.of(names.split(", "));
    for (String name : list) {
      if (!name.startsWith("-") || name.length() < 2 || name.contains("=")) {
        throw new IllegalArgumentException("not an option name: '" + name + "'");
      }
    }
    return list;
  }

  /** The names, as declared ({@code -o} before {@code --output}); empty for a positional. */
  List<String> names() {
    return names;
  }

  boolean isPositional() {
    return names.isEmpty();
  }

  /** The longest name, the one error messages use: {@code --output} for {@code -o, --output}. */
  String longestName() {
    String longest = names.get(0);
    for (String name : names) {
      if (name.length() > longest.length()) {
        longest = name;
      }
    }
    return longest;
  }

  /** The short name ({@code -o}), or {@code null}. */
  String shortName() {
    for (String name : names) {
      if (!name.startsWith("--") && name.length() == 2) {
        return name;
      }
    }
    return null;
  }

  /** The name that sorts the help: the shortest name without its dashes. */
  String sortKey() {
    if (isPositional()) {
      return label;
    }
    String shortest = names.get(0);
    for (String name : names) {
      if (name.length() < shortest.length()) {
        shortest = name;
      }
    }
    return shortest.replaceFirst("^-+", "");
  }

  /** The name of the value in the help, such as {@code HOST:PORT}; {@code null} for a flag. */
  String label() {
    return label;
  }

  Type type() {
    return type;
  }

  boolean takesValue() {
    return type != Type.FLAG;
  }

  boolean isRepeatable() {
    return repeatable;
  }

  boolean isRequired() {
    return required;
  }

  T defaultValue() {
    return defaultValue;
  }

  String description() {
    return description;
  }

  /** How errors name it: {@code '--output=OUT'}-style for options, the label for positionals. */
  String display() {
    return isPositional() ? label : longestName() + (takesValue() ? "=" + label : "");
  }

  @Override
  public String toString() {
    return display();
  }
}
