package org.functorrent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DhtLookupsTest {
  @Test
  void emptyLookupsAreRetriedSoonThenLessOftenUpToAMinute() {
    assertThat(DhtLookups.retryAfter(1)).isEqualTo(Duration.ofSeconds(10));
    assertThat(DhtLookups.retryAfter(2)).isEqualTo(Duration.ofSeconds(20));
    assertThat(DhtLookups.retryAfter(3)).isEqualTo(Duration.ofSeconds(40));
    assertThat(DhtLookups.retryAfter(4)).isEqualTo(Duration.ofMinutes(1));
    assertThat(DhtLookups.retryAfter(1_000)).isEqualTo(Duration.ofMinutes(1));
  }
}
