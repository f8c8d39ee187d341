package org.functorrent.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The statuses' written-out equals, hashCode and toString keep the records' contract. */
class TrackerStatusTest {
  private static List<TrackerStatus> fresh() {
    return List.of(
        new TrackerStatus.None(),
        new TrackerStatus.Started(),
        new TrackerStatus.Completed(),
        new TrackerStatus.Error("timed out"),
        new TrackerStatus.Error("failure reason: unregistered torrent"));
  }

  @Test
  void aStatusEqualsOnlyAnotherOfTheSameKindAndReason() {
    List<TrackerStatus> a = fresh();
    List<TrackerStatus> b = fresh();
    for (int i = 0; i < a.size(); i++) {
      for (int j = 0; j < b.size(); j++) {
        assertThat(a.get(i).equals(b.get(j)))
            .as("%s equals %s", a.get(i), b.get(j))
            .isEqualTo(i == j);
        if (i == j) {
          assertThat(a.get(i)).hasSameHashCodeAs(b.get(j));
        }
      }
      assertThat(a.get(i)).isNotEqualTo(null).isNotEqualTo(a.get(i).toString());
    }
    assertThat(TrackerStatus.NONE).isEqualTo(new TrackerStatus.None());
  }

  @Test
  void toStringReadsLikeTheRecords() {
    assertThat(fresh())
        .extracting(Object::toString)
        .containsExactly(
            "None[]",
            "Started[]",
            "Completed[]",
            "Error[reason=timed out]",
            "Error[reason=failure reason: unregistered torrent]");
  }
}
