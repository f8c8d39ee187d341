package org.functorrent.bencode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property tests over random values; the seed is in every failure message. */
class BencodeRoundTripTest {
  private static final int CASES = 5_000;

  @Test
  void decodingAnEncodedValueGivesItBack() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < CASES; i++) {
      BencodeValue value = randomValue(random, 0);
      byte[] encoded = Bencode.encode(value);
      assertThat(encoded).as("seed %s, case %s", seed, i).hasSize((int) value.encodedLength());
      assertThat(Bencode.decode(encoded)).as("seed %s, case %s", seed, i).isEqualTo(value);
    }
  }

  @Test
  void encodingADecodedCanonicalInputGivesTheSameBytes() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < CASES; i++) {
      byte[] canonical = Bencode.encode(randomValue(random, 0));
      BencodeValue decoded = Bencode.decode(canonical);
      assertThat(Bencode.encode(decoded)).as("seed %s, case %s", seed, i).isEqualTo(canonical);
      if (decoded instanceof BencodeDictionary d) {
        assertThat(d.originalEncoding()).as("seed %s, case %s", seed, i).contains(canonical);
      }
    }
  }

  @Test
  void everyTruncationOfAValidInputIsRejectedWithAnOffsetInsideIt() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int i = 0; i < 300; i++) {
      byte[] encoded = Bencode.encode(randomValue(random, 0));
      for (int cut = 0; cut < encoded.length; cut++) {
        int length = cut;
        try {
          Bencode.decoder().decode(encoded, 0, length);
          throw new AssertionError("seed " + seed + ": a truncated input was accepted");
        } catch (BencodeException e) {
          assertThat(e.offset()).as("seed %s", seed).isBetween(0L, (long) length);
        }
      }
    }
  }

  @Test
  void mutatedInputsEitherDecodeOrFailWithABencodeException() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    byte[] alphabet = "0123456789:iledx-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int rejected = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] input = Bencode.encode(randomValue(random, 0));
      int mutations = 1 + random.nextInt(3);
      for (int m = 0; m < mutations && input.length > 0; m++) {
        int at = random.nextInt(input.length);
        input[at] =
            random.nextBoolean() ? alphabet[random.nextInt(alphabet.length)] : (byte) random.nextInt();
      }
      try {
        BencodeValue decoded = Bencode.decode(input);
        // Whatever decodes must encode to a value that decodes to the same thing.
        assertThat(Bencode.decode(Bencode.encode(decoded))).as("seed %s", seed).isEqualTo(decoded);
      } catch (BencodeException e) {
        rejected++;
        assertThat(e.offset()).as("seed %s", seed).isBetween(0L, (long) input.length);
      }
    }
    assertThat(rejected).as("seed %s: mutations that were rejected", seed).isPositive();
  }

  static BencodeValue randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 4 ? 2 : 4);
    switch (kind) {
      case 0:
        return randomString(random);
      case 1:
        return BencodeInteger.of(randomLong(random));
      case 2:
        {
          List<BencodeValue> values = new ArrayList<>();
          int size = random.nextInt(6);
          for (int i = 0; i < size; i++) {
            values.add(randomValue(random, depth + 1));
          }
          return BencodeList.of(values);
        }
      default:
        {
          BencodeDictionary.Builder builder = BencodeDictionary.builder();
          int size = random.nextInt(6);
          for (int i = 0; i < size; i++) {
            builder.put(randomString(random), randomValue(random, depth + 1));
          }
          return builder.build();
        }
    }
  }

  private static BencodeString randomString(Random random) {
    byte[] bytes = new byte[random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(8)];
    random.nextBytes(bytes);
    return BencodeString.of(bytes);
  }

  private static long randomLong(Random random) {
    switch (random.nextInt(4)) {
      case 0:
        return random.nextInt(10) - 5;
      case 1:
        return random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
      default:
        return random.nextLong() >> random.nextInt(64);
    }
  }
}
