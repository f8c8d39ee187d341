package org.functorrent.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PeerOptionsTest {

  /** Every option differs from its default (checked by {@link #changedDiffersInEveryField}). */
  private static PeerOptions changed() {
    return PeerOptions.builder()
        .maxPeersPerTorrent(7)
        .maxPeersPerClient(11)
        .uploadSlots(2)
        .initialRequestQueue(3)
        .maxRequestQueue(9)
        .maxServeQueue(13)
        .blockTimeout(Duration.ofMillis(1500))
        .connectTimeout(Duration.ofMillis(700))
        .handshakeTimeout(Duration.ofMillis(800))
        .keepAliveInterval(Duration.ofSeconds(3))
        .idleTimeout(Duration.ofSeconds(4))
        .chokeInterval(Duration.ofMillis(900))
        .maxPendingWrites(5)
        .maxConnectFailures(2)
        .clientName("Test 9.9")
        .maxPendingWritesPerClient(17)
        .maxMetadataSize(1 << 16)
        .maxUnsentBytes(PeerOptions.MIN_UNSENT_BYTES)
        .build();
  }

  /** The names of the record components whose values differ between a and b. */
  private static Set<String> differingFields(PeerOptions a, PeerOptions b) throws Exception {
    Set<String> names = new TreeSet<>();
    for (RecordComponent c : PeerOptions.class.getRecordComponents()) {
      if (!c.getAccessor().invoke(a).equals(c.getAccessor().invoke(b))) {
        names.add(c.getName());
      }
    }
    return names;
  }

  @Test
  void defaultsKeepTheirValues() {
    PeerOptions d = PeerOptions.defaults();
    assertThat(d.maxPeersPerTorrent()).isEqualTo(50);
    assertThat(d.maxPeersPerClient()).isEqualTo(200);
    assertThat(d.uploadSlots()).isEqualTo(4);
    assertThat(d.initialRequestQueue()).isEqualTo(32);
    assertThat(d.maxRequestQueue()).isEqualTo(500);
    assertThat(d.maxServeQueue()).isEqualTo(500);
    assertThat(d.blockTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.handshakeTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(d.keepAliveInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(d.idleTimeout()).isEqualTo(Duration.ofSeconds(240));
    assertThat(d.chokeInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.maxPendingWrites()).isEqualTo(256);
    assertThat(d.maxConnectFailures()).isEqualTo(5);
    assertThat(d.clientName()).isEqualTo("FuncTorrent 0.1");
    assertThat(d.maxPendingWritesPerClient()).isEqualTo(4096);
    assertThat(d.maxMetadataSize()).isEqualTo(8 << 20).isEqualTo(
        PeerOptions.DEFAULT_MAX_METADATA_SIZE);
    assertThat(d.maxUnsentBytes()).isEqualTo(4 << 20).isEqualTo(
        PeerOptions.DEFAULT_MAX_UNSENT_BYTES);
    assertThat(PeerOptions.MIN_UNSENT_BYTES).isEqualTo(3 << 20);
  }

  @Test
  void builderStartsFromTheDefaults() {
    assertThat(PeerOptions.builder().build()).isEqualTo(PeerOptions.defaults());
  }

  @Test
  void changedDiffersInEveryField() throws Exception {
    Set<String> all = new TreeSet<>();
    for (RecordComponent c : PeerOptions.class.getRecordComponents()) {
      all.add(c.getName());
    }
    assertThat(all).hasSize(18);
    assertThat(differingFields(changed(), PeerOptions.defaults())).isEqualTo(all);
  }

  @Test
  void builderSetsEachField() {
    PeerOptions o = changed();
    assertThat(o.maxPeersPerTorrent()).isEqualTo(7);
    assertThat(o.maxPeersPerClient()).isEqualTo(11);
    assertThat(o.uploadSlots()).isEqualTo(2);
    assertThat(o.initialRequestQueue()).isEqualTo(3);
    assertThat(o.maxRequestQueue()).isEqualTo(9);
    assertThat(o.maxServeQueue()).isEqualTo(13);
    assertThat(o.blockTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(o.connectTimeout()).isEqualTo(Duration.ofMillis(700));
    assertThat(o.handshakeTimeout()).isEqualTo(Duration.ofMillis(800));
    assertThat(o.keepAliveInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(o.idleTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(o.chokeInterval()).isEqualTo(Duration.ofMillis(900));
    assertThat(o.maxPendingWrites()).isEqualTo(5);
    assertThat(o.maxConnectFailures()).isEqualTo(2);
    assertThat(o.clientName()).isEqualTo("Test 9.9");
    assertThat(o.maxPendingWritesPerClient()).isEqualTo(17);
    assertThat(o.maxMetadataSize()).isEqualTo(1 << 16);
    assertThat(o.maxUnsentBytes()).isEqualTo(PeerOptions.MIN_UNSENT_BYTES);
  }

  @Test
  void toBuilderRoundTripsEveryField() throws Exception {
    PeerOptions o = changed();
    PeerOptions copy = o.toBuilder().build();
    assertThat(copy).isEqualTo(o).hasSameHashCodeAs(o);
    assertThat(copy.toString()).isEqualTo(o.toString());
    assertThat(differingFields(copy, o)).isEmpty();
  }

  @Test
  void aBuilderDoesNotChangeWhatItBuiltOrStartedFrom() {
    PeerOptions o = changed();
    PeerOptions.Builder b = o.toBuilder();
    PeerOptions first = b.build();
    b.uploadSlots(6).clientName("other");
    assertThat(first).isEqualTo(o);
    assertThat(o.uploadSlots()).isEqualTo(2);
    assertThat(b.build().uploadSlots()).isEqualTo(6);
  }

  @Test
  void toStringNamesTheOptions() {
    assertThat(changed().toString())
        .startsWith("PeerOptions[maxPeersPerTorrent=7,")
        .contains("clientName=Test 9.9");
  }

  private static final Duration SEVENTY_SEVEN = Duration.ofSeconds(77);

  static Stream<Arguments> withers() {
    return Stream.of(
        with("blockTimeout", SEVENTY_SEVEN, o -> o.withBlockTimeout(SEVENTY_SEVEN)),
        with("uploadSlots", 9, o -> o.withUploadSlots(9)),
        with("chokeInterval", SEVENTY_SEVEN, o -> o.withChokeInterval(SEVENTY_SEVEN)),
        with("maxPendingWrites", 77, o -> o.withMaxPendingWrites(77)),
        with("maxPendingWritesPerClient", 78, o -> o.withMaxPendingWritesPerClient(78)),
        with("maxMetadataSize", 79, o -> o.withMaxMetadataSize(79)),
        with("handshakeTimeout", SEVENTY_SEVEN, o -> o.withHandshakeTimeout(SEVENTY_SEVEN)),
        with("idleTimeout", SEVENTY_SEVEN, o -> o.withIdleTimeout(SEVENTY_SEVEN)),
        with("maxServeQueue", 80, o -> o.withMaxServeQueue(80)),
        with("maxUnsentBytes", 5 << 20, o -> o.withMaxUnsentBytes(5 << 20)));
  }

  private static Arguments with(String field, Object value, UnaryOperator<PeerOptions> with) {
    return Arguments.of(field, value, with);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("withers")
  void withChangesOnlyItsField(String field, Object value, UnaryOperator<PeerOptions> with)
      throws Exception {
    PeerOptions o = changed();
    PeerOptions after = with.apply(o);
    assertThat(differingFields(after, o)).containsExactly(field);
    assertThat(PeerOptions.class.getMethod(field).invoke(after))
        .isEqualTo(value);
  }

  @Test
  void withRequestQueueChangesBothQueuesOnly() throws Exception {
    PeerOptions o = changed();
    PeerOptions after = o.withRequestQueue(4, 40);
    assertThat(differingFields(after, o))
        .containsExactlyInAnyOrder("initialRequestQueue", "maxRequestQueue");
    assertThat(after.initialRequestQueue()).isEqualTo(4);
    assertThat(after.maxRequestQueue()).isEqualTo(40);
  }

  @Test
  void withChecksItsValueToo() {
    assertThatThrownBy(() -> changed().withMaxUnsentBytes(PeerOptions.MIN_UNSENT_BYTES - 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxUnsentBytes: 3145727 (expected: >= 3145728)");
    assertThatThrownBy(() -> changed().withRequestQueue(10, 9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialRequestQueue: 10 (expected: 1..maxRequestQueue 9)");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        bad(b -> b.maxPeersPerTorrent(0), "maxPeersPerTorrent: 0 (expected: > 0)"),
        bad(b -> b.maxPeersPerClient(-1), "maxPeersPerClient: -1 (expected: > 0)"),
        bad(b -> b.uploadSlots(0), "uploadSlots: 0 (expected: > 0)"),
        bad(b -> b.initialRequestQueue(0),
            "initialRequestQueue: 0 (expected: 1..maxRequestQueue 500)"),
        bad(b -> b.initialRequestQueue(33).maxRequestQueue(32),
            "initialRequestQueue: 33 (expected: 1..maxRequestQueue 32)"),
        bad(b -> b.maxServeQueue(0), "maxServeQueue: 0 (expected: > 0)"),
        bad(b -> b.blockTimeout(Duration.ZERO), "blockTimeout: PT0S (expected: > 0)"),
        bad(b -> b.connectTimeout(Duration.ofSeconds(-1)),
            "connectTimeout: PT-1S (expected: > 0)"),
        bad(b -> b.handshakeTimeout(Duration.ZERO), "handshakeTimeout: PT0S (expected: > 0)"),
        bad(b -> b.keepAliveInterval(Duration.ofMillis(-5)),
            "keepAliveInterval: PT-0.005S (expected: > 0)"),
        bad(b -> b.idleTimeout(Duration.ZERO), "idleTimeout: PT0S (expected: > 0)"),
        bad(b -> b.chokeInterval(Duration.ZERO), "chokeInterval: PT0S (expected: > 0)"),
        bad(b -> b.maxPendingWrites(1), "maxPendingWrites: 1 (expected: > 1)"),
        bad(b -> b.maxConnectFailures(0), "maxConnectFailures: 0 (expected: > 0)"),
        bad(b -> b.maxPendingWritesPerClient(1), "maxPendingWritesPerClient: 1 (expected: > 1)"),
        bad(b -> b.maxMetadataSize(0), "maxMetadataSize: 0 (expected: > 0)"),
        bad(b -> b.maxUnsentBytes((3 << 20) - 1),
            "maxUnsentBytes: 3145727 (expected: >= 3145728)"));
  }

  private static Arguments bad(UnaryOperator<PeerOptions.Builder> set, String message) {
    return Arguments.of(message, set);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void buildRejectsABadValue(String message, UnaryOperator<PeerOptions.Builder> set) {
    PeerOptions.Builder b = set.apply(PeerOptions.builder());
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  static Stream<Arguments> nulls() {
    return Stream.of(
        isNull("blockTimeout", b -> b.blockTimeout(null)),
        isNull("connectTimeout", b -> b.connectTimeout(null)),
        isNull("handshakeTimeout", b -> b.handshakeTimeout(null)),
        isNull("keepAliveInterval", b -> b.keepAliveInterval(null)),
        isNull("idleTimeout", b -> b.idleTimeout(null)),
        isNull("chokeInterval", b -> b.chokeInterval(null)),
        isNull("clientName", b -> b.clientName(null)));
  }

  private static Arguments isNull(String field, UnaryOperator<PeerOptions.Builder> set) {
    return Arguments.of(field, set);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nulls")
  void buildRejectsNull(String field, UnaryOperator<PeerOptions.Builder> set) {
    PeerOptions.Builder b = set.apply(PeerOptions.builder());
    assertThatThrownBy(b::build).isInstanceOf(NullPointerException.class).hasMessage(field);
  }

  @Test
  void buildAcceptsTheBoundaries() {
    PeerOptions o =
        PeerOptions.builder()
            .initialRequestQueue(7)
            .maxRequestQueue(7)
            .maxPendingWrites(2)
            .maxPendingWritesPerClient(2)
            .maxUnsentBytes(PeerOptions.MIN_UNSENT_BYTES)
            .blockTimeout(Duration.ofNanos(1))
            .build();
    assertThat(o.initialRequestQueue()).isEqualTo(o.maxRequestQueue()).isEqualTo(7);
    assertThat(o.maxPendingWrites()).isEqualTo(2);
    assertThat(o.maxUnsentBytes()).isEqualTo(PeerOptions.MIN_UNSENT_BYTES);
    assertThat(o.blockTimeout()).isEqualTo(Duration.ofNanos(1));
  }
}
