package org.functorrent.examples.cli;

/** The version from the jar's manifest (set by Maven), or "development" when run from classes. */
final class Version {
  private Version() {}

  /** What {@code --version} prints. */
  static String text() {
    String version = Version.class.getPackage().getImplementationVersion();
    return "functorrent " + (version == null ? "development" : version);
  }
}
