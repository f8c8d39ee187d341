package org.functorrent.peer.internal;

import java.util.concurrent.CompletionException;

/** What a failed future's stages report. */
public final class Completions {
  private Completions() {}

  /** The failure a {@link CompletionException} wraps, or {@code error} itself. */
  public static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
