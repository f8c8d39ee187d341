package org.functorrent.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The program turns Netty's JFR events and leak detection off, unless the user chose. */
class NettyDefaultsTest {
  private static final String JFR = "io.netty.jfr.enabled";
  private static final String LEAKS = "io.netty.leakDetection.level";
  private final Map<String, String> saved = new HashMap<>();

  @BeforeEach
  void save() {
    for (String key : List.of(JFR, LEAKS)) {
      saved.put(key, System.getProperty(key));
    }
  }

  @AfterEach
  void restore() {
    saved.forEach(
        (key, value) -> {
          if (value == null) {
            System.clearProperty(key);
          } else {
            System.setProperty(key, value);
          }
        });
  }

  @Test
  void offWhenUnset() {
    System.clearProperty(JFR);
    System.clearProperty(LEAKS);
    FuncTorrentCommand.nettyDefaultsUnlessSet();
    assertThat(System.getProperty(JFR)).isEqualTo("false");
    assertThat(System.getProperty(LEAKS)).isEqualTo("disabled");
  }

  @Test
  void theUsersChoiceStays() {
    System.setProperty(JFR, "true");
    System.setProperty(LEAKS, "paranoid");
    FuncTorrentCommand.nettyDefaultsUnlessSet();
    assertThat(System.getProperty(JFR)).isEqualTo("true");
    assertThat(System.getProperty(LEAKS)).isEqualTo("paranoid");
  }
}
