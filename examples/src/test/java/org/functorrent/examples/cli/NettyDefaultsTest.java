package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The program turns Netty's JFR events off, unless the user chose. */
class NettyJfrDefaultTest {
  private static final String KEY = "io.netty.jfr.enabled";
  private String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty(KEY);
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(KEY);
    } else {
      System.setProperty(KEY, saved);
    }
  }

  @Test
  void offWhenUnset() {
    System.clearProperty(KEY);
    FuncTorrentCommand.nettyJfrOffUnlessSet();
    assertThat(System.getProperty(KEY)).isEqualTo("false");
  }

  @Test
  void theUsersChoiceStays() {
    System.setProperty(KEY, "true");
    FuncTorrentCommand.nettyJfrOffUnlessSet();
    assertThat(System.getProperty(KEY)).isEqualTo("true");
  }
}
