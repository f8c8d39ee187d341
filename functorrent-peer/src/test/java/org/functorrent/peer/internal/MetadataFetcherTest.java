package org.functorrent.peer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.functorrent.metainfo.InfoHash;
import org.junit.jupiter.api.Test;

/**
 * The metadata fetch state machine with fake peers (named by strings) and a hand clock: good
 * peers, liars, rejecting, slow and vanishing peers, absurd sizes.
 */
class MetadataFetcherTest {
  private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);
  private static final long MAX = 8 << 20;

  /** About 40 KB: three pieces, the last one shorter. */
  private byte[] metadata;
  private InfoHash infoHash;
  private final Map<String, List<Integer>> requests = new LinkedHashMap<>();
  private final Map<String, String> bans = new LinkedHashMap<>();
  private byte[] completed;
  private int completions;
  private long now;
  private MetadataFetcher<String> fetcher;

  MetadataFetcherTest() {
    withMetadataOf(2 * 16384 + 7000);
  }

  private void withMetadataOf(int size) {
    metadata = new byte[size];
    new Random(11).nextBytes(metadata);
    infoHash = InfoHash.sha1Of(metadata);
    fetcher =
        new MetadataFetcher<>(
            infoHash,
            MAX,
            TIMEOUT,
            new MetadataFetcher.Actions<>() {
              @Override
              public void request(String peer, int piece) {
                requests.computeIfAbsent(peer, p -> new ArrayList<>()).add(piece);
              }

              @Override
              public void ban(String peer, String reason) {
                bans.put(peer, reason);
                fetcher.peerGone(peer, now); // the caller closes it, and that comes back as gone
              }

              @Override
              public void completed(byte[] bytes) {
                completed = bytes;
                completions++;
              }
            });
  }

  private byte[] piece(byte[] source, int piece) {
    int from = piece * 16384;
    return Arrays.copyOfRange(source, from, from + MetadataMessage.pieceLength(source.length,
        piece));
  }

  /** Takes the requests {@code peer} has outstanding (as the test saw them) and clears them. */
  private List<Integer> take(String peer) {
    List<Integer> r = requests.remove(peer);
    return r == null ? List.of() : r;
  }

  /** {@code peer} answers every request it got with pieces of {@code source}, until none left. */
  private void answerAll(String peer, byte[] source) {
    for (List<Integer> asked = take(peer); !asked.isEmpty(); asked = take(peer)) {
      for (int p : asked) {
        fetcher.data(peer, p, source.length, piece(source, p), now);
      }
    }
  }

  private void assertCompleted() {
    assertThat(completed).as("completed").isNotNull();
    assertThat(Arrays.equals(completed, metadata)).as("the metadata").isTrue();
  }

  private byte[] corrupt() {
    byte[] bad = metadata.clone();
    bad[20000] ^= 1;
    return bad;
  }

  @Test
  void goodPeersShareTheWorkAndTheResultMatchesTheInfoHash() {
    withMetadataOf(10 * 16384 - 3);
    for (String p : List.of("a", "b", "c")) {
      assertThat(fetcher.peerReady(p, metadata.length, now)).isNull();
    }
    Set<String> askedPeers = new HashSet<>(requests.keySet());
    assertThat(askedPeers).as("spread over several peers").containsExactlyInAnyOrder("a", "b", "c");
    assertThat(requests.get("a")).hasSize(MetadataFetcher.MAX_IN_FLIGHT);
    for (String p : List.of("a", "b", "c")) {
      answerAll(p, metadata);
    }
    assertThat(completions).isEqualTo(1);
    assertCompleted();
    assertThat(bans).isEmpty();
    assertThat(fetcher.isDone()).isTrue();
  }

  @Test
  void absurdOrMissingSizesAreRefused() {
    assertThat(fetcher.peerReady("zero", 0, now)).contains("metadata_size");
    assertThat(fetcher.peerReady("negative", -5, now)).contains("metadata_size");
    assertThat(fetcher.peerReady("huge", 2L << 30, now))
        .contains("metadata_size 2147483648").contains("8388608");
    assertThat(requests).isEmpty();
    assertThat(fetcher.peerCount()).isZero();
  }

  @Test
  void aRejectedPieceGoesToAnotherPeer() {
    fetcher.peerReady("a", metadata.length, now);
    List<Integer> askedA = take("a");
    assertThat(askedA).containsExactlyInAnyOrder(0, 1, 2);
    fetcher.peerReady("b", metadata.length, now);
    assertThat(take("b")).as("everything is in flight already").isEmpty();
    fetcher.rejected("a", 1, now);
    assertThat(take("b")).containsExactly(1);
    fetcher.data("a", 0, metadata.length, piece(metadata, 0), now);
    fetcher.data("a", 2, metadata.length, piece(metadata, 2), now);
    fetcher.data("b", 1, metadata.length, piece(metadata, 1), now);
    assertCompleted();
  }

  @Test
  void aSlowPieceIsAskedOfAnotherPeerAfterTheTimeout() {
    fetcher.peerReady("slow", metadata.length, now);
    assertThat(take("slow")).containsExactlyInAnyOrder(0, 1, 2);
    fetcher.data("slow", 0, metadata.length, piece(metadata, 0), now);
    fetcher.peerReady("fast", metadata.length, now);
    now += TIMEOUT / 2;
    fetcher.tick(now);
    assertThat(take("fast")).as("not yet timed out").isEmpty();
    now += TIMEOUT;
    fetcher.tick(now);
    assertThat(requests.get("fast")).containsExactlyInAnyOrder(1, 2);
    // The slow peer's late answer is ignored; the fast one's counts.
    fetcher.data("slow", 1, metadata.length, piece(corrupt(), 1), now);
    answerAll("fast", metadata);
    assertCompleted();
    assertThat(bans).isEmpty();
  }

  @Test
  void aLoneSlowPeerIsAskedAgain() {
    fetcher.peerReady("slow", metadata.length, now);
    take("slow");
    now += TIMEOUT + 1;
    fetcher.tick(now);
    assertThat(take("slow")).containsExactlyInAnyOrder(0, 1, 2);
  }

  @Test
  void aLoneLiarIsBannedAndAnHonestPeerFinishes() {
    fetcher.peerReady("liar", metadata.length, now);
    answerAll("liar", corrupt());
    assertThat(completed).isNull();
    assertThat(bans).containsOnlyKeys("liar");
    assertThat(fetcher.hashFailures()).isEqualTo(1);
    fetcher.peerReady("honest", metadata.length, now);
    answerAll("honest", metadata);
    assertCompleted();
    assertThat(bans).containsOnlyKeys("liar");
  }

  @Test
  void aLiarAmongHonestPeersIsFoundOneSourceAtATimeAndOnlyItIsBanned() {
    byte[] bad = corrupt();
    for (String p : List.of("honest1", "liar", "honest2")) {
      fetcher.peerReady(p, metadata.length, now);
    }
    // Everyone answers what it was asked: the liar with its version.
    for (int round = 0; round < 10 && completed == null; round++) {
      for (String p : List.of("honest1", "liar", "honest2")) {
        if (!bans.containsKey(p)) {
          answerAll(p, p.equals("liar") ? bad : metadata);
        }
      }
    }
    assertCompleted();
    assertThat(bans.keySet()).isSubsetOf(Set.of("liar"));
  }

  @Test
  void theLiarIsBannedWhenItsTurnAsSingleSourceComes() {
    byte[] bad = corrupt();
    fetcher.peerReady("liar", metadata.length, now);
    fetcher.peerReady("honest", metadata.length, now);
    // The liar got pieces 0..2 first; the honest peer none. It answers 0 and 1 and sits on 2,
    // which times out and goes to the honest peer.
    assertThat(take("liar")).containsExactlyInAnyOrder(0, 1, 2);
    fetcher.data("liar", 0, metadata.length, piece(bad, 0), now);
    fetcher.data("liar", 1, metadata.length, piece(bad, 1), now);
    now += TIMEOUT + 1;
    fetcher.tick(now);
    assertThat(requests.get("honest")).containsExactly(2);
    answerAll("honest", metadata);
    assertThat(fetcher.hashFailures()).isEqualTo(1);
    assertThat(fetcher.isSingleSource()).isTrue();
    assertThat(bans).as("two contributors: nobody banned yet").isEmpty();
    // Single source: the first peer in line (the liar) is asked for everything, fails alone, and
    // is banned; then the honest peer sends everything.
    assertThat(requests.get("liar")).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(requests.get("honest")).isNull();
    answerAll("liar", bad);
    assertThat(bans).containsOnlyKeys("liar");
    assertThat(fetcher.hashFailures()).isEqualTo(2);
    answerAll("honest", metadata);
    assertCompleted();
    assertThat(bans).containsOnlyKeys("liar");
  }

  @Test
  void aWrongTotalSizeOrPieceLengthBansAtOnce() {
    fetcher.peerReady("a", metadata.length, now);
    fetcher.peerReady("b", metadata.length, now);
    int pieceOfA = take("a").get(0);
    fetcher.data("a", pieceOfA, metadata.length + 1, piece(metadata, pieceOfA), now);
    assertThat(bans).containsKey("a");
    int pieceOfB = take("b").get(0);
    fetcher.data("b", pieceOfB, metadata.length, new byte[5], now);
    assertThat(bans).containsKeys("a", "b");
    assertThat(completed).isNull();
  }

  @Test
  void unrequestedDataIsIgnored() {
    fetcher.peerReady("a", metadata.length, now);
    fetcher.peerReady("b", metadata.length, now);
    List<Integer> askedA = take("a");
    int notAskedOfB = askedA.get(0);
    fetcher.data("b", notAskedOfB, metadata.length, piece(corrupt(), notAskedOfB), now);
    fetcher.data("stranger", 0, metadata.length, piece(corrupt(), 0), now);
    for (int p : askedA) {
      fetcher.data("a", p, metadata.length, piece(metadata, p), now);
    }
    answerAll("b", metadata);
    answerAll("a", metadata);
    assertCompleted();
    assertThat(bans).isEmpty();
  }

  @Test
  void aVanishedPeersRequestsGoToTheOthers() {
    fetcher.peerReady("a", metadata.length, now);
    take("a");
    fetcher.peerReady("b", metadata.length, now);
    fetcher.peerGone("a", now);
    assertThat(requests.get("b")).containsExactlyInAnyOrder(0, 1, 2);
    answerAll("b", metadata);
    assertCompleted();
  }

  @Test
  void theSizeMostPeersAnnounceIsFetched() {
    fetcher.peerReady("odd", 1000, now);
    assertThat(fetcher.size()).isEqualTo(1000);
    take("odd");
    fetcher.peerReady("a", metadata.length, now);
    fetcher.peerReady("b", metadata.length, now);
    // "odd" fails its hash (its 1000 bytes are not the metadata): banned; the others' size wins.
    fetcher.data("odd", 0, 1000, new byte[1000], now);
    assertThat(bans).containsOnlyKeys("odd");
    assertThat(fetcher.size()).isEqualTo(metadata.length);
    answerAll("a", metadata);
    answerAll("b", metadata);
    assertCompleted();
  }

  @Test
  void nothingHappensAfterCompletion() {
    fetcher.peerReady("a", metadata.length, now);
    answerAll("a", metadata);
    assertThat(completions).isEqualTo(1);
    assertThat(fetcher.peerReady("late", metadata.length, now)).isNotNull();
    fetcher.data("a", 0, metadata.length, piece(metadata, 0), now);
    fetcher.tick(now + 10 * TIMEOUT);
    assertThat(completions).isEqualTo(1);
    assertThat(requests).isEmpty();
  }
}
