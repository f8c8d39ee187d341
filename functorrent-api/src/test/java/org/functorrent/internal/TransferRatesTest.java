package org.functorrent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Rates from a swarm's byte counters, sampled at the times given (no clock is read). */
class TransferRatesTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long MIB = 1 << 20;

  @Test
  void theFirstSampleIsMeasuredFromTheSwarmsStart() {
    TransferRates rates = new TransferRates();
    rates.restart(5 * SECOND);

    rates.sample(7 * SECOND, 8 * MIB, 2 * MIB);

    assertThat(rates.downloadRate()).isEqualTo(4 * MIB);
    assertThat(rates.uploadRate()).isEqualTo(MIB);
  }

  @Test
  void laterSamplesUseTheTimeThatPassedAndAreSmoothed() {
    TransferRates rates = new TransferRates();
    rates.restart(0);
    rates.sample(SECOND, 10 * MIB, 0); // 10 MiB/s

    rates.sample(SECOND + SECOND / 2, 13 * MIB, 0); // 3 MiB in half a second: 6 MiB/s

    assertThat(rates.downloadRate()).isEqualTo(8 * MIB); // halfway between 10 and 6
    assertThat(rates.uploadRate()).isZero();
  }

  @Test
  void aNewSwarmStartsFromZeroWithoutTheOldOnesBytes() {
    TransferRates rates = new TransferRates();
    rates.restart(0);
    rates.sample(SECOND, 100 * MIB, 50 * MIB);
    rates.stop();
    assertThat(rates.downloadRate()).isZero();
    assertThat(rates.uploadRate()).isZero();

    rates.restart(10 * SECOND);
    rates.sample(12 * SECOND, 2 * MIB, 0);

    // 2 MiB over 2 s, standing alone: neither the old swarm's 100 MiB nor its rate count.
    assertThat(rates.downloadRate()).isEqualTo(MIB);
    assertThat(rates.uploadRate()).isZero();
  }

  @Test
  void twoSamplesAtOneInstantChangeNothing() {
    TransferRates rates = new TransferRates();
    rates.restart(0);
    rates.sample(SECOND, 4 * MIB, 0);

    rates.sample(SECOND, 4 * MIB, 0);

    assertThat(rates.downloadRate()).isEqualTo(4 * MIB);
  }
}
