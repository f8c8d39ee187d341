package org.functorrent.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.functorrent.TorrentListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls a user's listener on the callback executor; what it throws is logged and ignored. */
final class SafeListener {
  private static final Logger log = LoggerFactory.getLogger(SafeListener.class);

  private final TorrentListener listener;
  private final Executor callbacks;

  SafeListener(TorrentListener listener, Executor callbacks) {
    this.listener = listener;
    this.callbacks = callbacks;
  }

  void call(Consumer<TorrentListener> event) {
    try {
      callbacks.execute(
          () -> {
            try {
              event.accept(listener);
            } catch (RuntimeException | AssertionError e) {
              log.warn("listener {} threw; ignored", listener, e);
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("listener event after the client closed; dropped");
    }
  }
}
