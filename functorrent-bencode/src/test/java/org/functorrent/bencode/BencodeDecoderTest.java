package org.functorrent.bencode;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BencodeDecoderTest {

  private static BencodeValue decode(String input) {
    return Bencode.decode(input.getBytes(ISO_8859_1));
  }

  private static void assertRejected(String input, long offset, String problem) {
    assertThatThrownBy(() -> decode(input))
        .isInstanceOf(BencodeException.class)
        .hasMessageContaining(problem)
        .hasMessageStartingWith("malformed bencode at byte " + offset + ":")
        .extracting(e -> ((BencodeException) e).offset())
        .isEqualTo(offset);
  }

  @Test
  void decodesEachKindOfValue() {
    assertThat(decode("4:spam")).isEqualTo(BencodeString.of("spam"));
    assertThat(decode("0:")).isEqualTo(BencodeString.of(""));
    assertThat(decode("i3e")).isEqualTo(BencodeInteger.of(3));
    assertThat(decode("i-3e")).isEqualTo(BencodeInteger.of(-3));
    assertThat(decode("i0e")).isEqualTo(BencodeInteger.of(0));
    assertThat(decode("l4:spam4:eggse"))
        .isEqualTo(BencodeList.of(BencodeString.of("spam"), BencodeString.of("eggs")));
    assertThat(decode("le")).isEqualTo(BencodeList.of());
    assertThat(decode("d3:cow3:moo4:spam4:eggse"))
        .isEqualTo(
            BencodeDictionary.builder().put("cow", "moo").put("spam", "eggs").build());
    assertThat(decode("de")).isEqualTo(BencodeDictionary.of());
  }

  @Test
  void byteStringsStayBytes() {
    byte[] input = {'3', ':', (byte) 0xff, 0, (byte) 0x80};
    BencodeString s = (BencodeString) Bencode.decode(input);
    assertThat(s.toByteArray()).containsExactly(0xff, 0, 0x80);
    assertThat(s.asUtf8Strict()).isEmpty();
    assertThat(s.asUtf8()).isEqualTo("\uFFFD\u0000\uFFFD");
  }

  @Test
  void utf8TextIsReadAsText() {
    BencodeString s = (BencodeString) Bencode.decode("6:h\u00e9llo".getBytes(UTF_8));
    assertThat(s.asUtf8Strict()).contains("h\u00e9llo");
    assertThat(s.contentEquals("h\u00e9llo")).isTrue();
    assertThat(s.contentEquals("hello")).isFalse();
  }

  @Test
  void integersCoverTheWholeSigned64BitRange() {
    assertThat(decode("i9223372036854775807e")).isEqualTo(BencodeInteger.of(Long.MAX_VALUE));
    assertThat(decode("i-9223372036854775808e")).isEqualTo(BencodeInteger.of(Long.MIN_VALUE));
  }

  @ParameterizedTest(name = "[{index}] '{0}'")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|0|unexpected end of input (expected: a value)",
        "x|0|unexpected 'x' (expected: a value",
        "i9223372036854775808e|0|integer does not fit in 64 bits",
        "i-9223372036854775809e|0|integer does not fit in 64 bits",
        "i99999999999999999999999e|0|integer does not fit in 64 bits",
        "i03e|1|integer with a leading zero",
        "i-03e|2|integer with a leading zero",
        "i00e|1|integer with a leading zero",
        "i-0e|0|negative zero",
        "ie|1|unexpected 'e' (expected: a digit)",
        "i-e|2|unexpected 'e' (expected: a digit)",
        "i--1e|2|unexpected '-' (expected: a digit)",
        "i1.5e|2|unexpected '.' (expected: a digit or 'e')",
        "i12|3|unexpected end of input (expected: a digit or 'e' to end the integer)",
        "03:abc|0|string length with a leading zero",
        "4:abc|0|string length 4 bytes declared, only 3 left",
        "5|1|unexpected end of input (expected: ':' after a string length)",
        "5x|1|unexpected 'x' (expected: ':' after a string length)",
        "l4:spam|7|unexpected end of input (expected: a value or 'e' to end the list)",
        "d3:cow3:moo|11|unexpected end of input (expected: a key or 'e' to end the dictionary)",
        "di1e3:mooe|1|unexpected 'i' (expected: a byte-string key or 'e')",
        "dle3:mooe|1|unexpected 'l' (expected: a byte-string key or 'e')",
        "d1:a1:b1:a1:ce|7|duplicate dictionary key \"a\"",
        "d1:b1:x1:a1:y1:b1:ze|13|duplicate dictionary key \"b\"",
        "i1ei2e|3|trailing data after the value (expected: end of input)",
        "4:spamx|6|trailing data after the value",
      })
  void rejectsEveryMalformedClassWithItsOffset(String input, long offset, String problem) {
    assertRejected(input, offset, problem);
  }

  @Test
  void aHugeDeclaredLengthIsRejectedBeforeAnythingIsAllocated() {
    // Were 999999999999 bytes allocated, this would be an OutOfMemoryError, not this exception.
    assertRejected("999999999999:abc", 0, "string length of more than 16 bytes declared, only 3 left");
    assertRejected(
        "l99999999999999999999999999999999999999:e",
        1,
        "string length of more than 40 bytes declared, only 1 left");
  }

  @Test
  void nestingIsBounded() {
    String deep = "l".repeat(BencodeDecoder.DEFAULT_MAX_DEPTH) + "e".repeat(BencodeDecoder.DEFAULT_MAX_DEPTH);
    assertThat(decode(deep)).isInstanceOf(BencodeList.class);
    String tooDeep = "l" + deep + "e";
    assertRejected(tooDeep, BencodeDecoder.DEFAULT_MAX_DEPTH, "nesting deeper than 256");
    // Far deeper than the stack would allow without the bound.
    String hostile = "l".repeat(1_000_000);
    assertThatThrownBy(() -> decode(hostile)).isInstanceOf(BencodeException.class);
    String dictionaries = "d1:a".repeat(5) + "de" + "e".repeat(5);
    assertThat(Bencode.decoder().withMaxDepth(6).decode(dictionaries.getBytes(ISO_8859_1)))
        .isInstanceOf(BencodeDictionary.class);
    assertThatThrownBy(
            () -> Bencode.decoder().withMaxDepth(5).decode(dictionaries.getBytes(ISO_8859_1)))
        .isInstanceOf(BencodeException.class)
        .hasMessageContaining("nesting deeper than 5");
  }

  @Test
  void unsortedKeysAreAcceptedSortedAndTheOriginalBytesKept() {
    String unsorted = "d4:spam4:eggs3:cow3:mooe";
    BencodeDictionary d = (BencodeDictionary) decode(unsorted);
    assertThat(d.keys()).containsExactly(BencodeString.of("cow"), BencodeString.of("spam"));
    assertThat(d.get("spam")).contains(BencodeString.of("eggs"));
    assertThat(d.originalEncoding()).hasValueSatisfying(
        raw -> assertThat(new String(raw, ISO_8859_1)).isEqualTo(unsorted));
    assertThat(new String(Bencode.encode(d), ISO_8859_1)).isEqualTo("d3:cow3:moo4:spam4:eggse");
  }

  @Test
  void nestedDictionariesKnowTheirOwnOriginalBytes() {
    String input = "d4:infod6:lengthi5e4:name1:xe5:otheri1ee";
    BencodeDictionary top = (BencodeDictionary) decode(input);
    BencodeDictionary info = (BencodeDictionary) top.get("info").orElseThrow();
    assertThat(new String(info.originalEncoding().orElseThrow(), ISO_8859_1))
        .isEqualTo("d6:lengthi5e4:name1:xe");
    assertThat(BencodeDictionary.builder().build().originalEncoding()).isEmpty();
  }

  @Test
  void keysCompareAsUnsignedBytes() {
    // 0xff sorts after 'a' in canonical order; a signed comparison would put it first.
    byte[] input = {'d', '1', ':', 'a', 'i', '1', 'e', '1', ':', (byte) 0xff, 'i', '2', 'e', 'e'};
    BencodeDictionary d = (BencodeDictionary) Bencode.decode(input);
    assertThat(Bencode.encode(d)).isEqualTo(input);
  }

  @Test
  void lenientModeAcceptsWhatSomeEncodersWrite() {
    BencodeDecoder lenient = Bencode.decoder().lenient();
    assertThat(lenient.isStrict()).isFalse();
    assertThat(lenient.decode("i03e".getBytes(ISO_8859_1))).isEqualTo(BencodeInteger.of(3));
    assertThat(lenient.decode("i-0e".getBytes(ISO_8859_1))).isEqualTo(BencodeInteger.of(0));
    assertThat(lenient.decode("03:abc".getBytes(ISO_8859_1))).isEqualTo(BencodeString.of("abc"));
    assertThat(lenient.decode("i1ejunk".getBytes(ISO_8859_1))).isEqualTo(BencodeInteger.of(1));
    assertThatThrownBy(() -> lenient.decode("d1:a1:b1:a1:ce".getBytes(ISO_8859_1)))
        .isInstanceOf(BencodeException.class)
        .hasMessageContaining("duplicate");
  }

  @Test
  void offsetsCountFromTheStartOfTheGivenRange() {
    byte[] input = "xxxxi03e".getBytes(ISO_8859_1);
    assertThatThrownBy(() -> Bencode.decoder().decode(input, 4, 4))
        .isInstanceOf(BencodeException.class)
        .extracting(e -> ((BencodeException) e).offset())
        .isEqualTo(1L);
  }

  @Test
  void decodesHeapAndDirectByteBuffersWithoutMovingThem() {
    byte[] bytes = "junkd1:ai1ee".getBytes(ISO_8859_1);
    ByteBuffer heap = ByteBuffer.wrap(bytes);
    heap.position(4);
    ByteBuffer sliced = heap.slice();
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length - 4);
    direct.put(bytes, 4, bytes.length - 4).flip();
    BencodeValue expected = BencodeDictionary.builder().put("a", 1).build();
    assertThat(Bencode.decode(heap)).isEqualTo(expected);
    assertThat(Bencode.decode(sliced)).isEqualTo(expected);
    assertThat(Bencode.decode(direct)).isEqualTo(expected);
    assertThat(heap.position()).isEqualTo(4);
    assertThat(direct.position()).isZero();
  }

  @Test
  void aReusedBufferDoesNotChangeWhatWasDecodedFromIt() {
    byte[] bytes = "d1:ai1ee".getBytes(ISO_8859_1);
    ByteBuffer reused = ByteBuffer.wrap(bytes);
    BencodeDictionary d = (BencodeDictionary) Bencode.decode(reused);
    reused.put(5, (byte) '2');
    assertThat(d.originalEncoding()).hasValueSatisfying(
        raw -> assertThat(new String(raw, ISO_8859_1)).isEqualTo("d1:ai1ee"));
  }

  @Test
  void decodesAStreamUpToItsLimit() {
    byte[] bytes = "l4:spami42ee".getBytes(ISO_8859_1);
    assertThat(Bencode.decode(new ByteArrayInputStream(bytes)))
        .isEqualTo(BencodeList.of(BencodeString.of("spam"), BencodeInteger.of(42)));
    assertThat(Bencode.decoder().withMaxInputBytes(bytes.length).decode(new ByteArrayInputStream(bytes)))
        .isInstanceOf(BencodeList.class);
    assertThatThrownBy(
            () ->
                Bencode.decoder()
                    .withMaxInputBytes(bytes.length - 1)
                    .decode(new ByteArrayInputStream(bytes)))
        .isInstanceOf(BencodeException.class)
        .hasMessageContaining("input longer than 11 bytes");
  }

  @Test
  void aFailingStreamIsAnIoError() {
    InputStream failing =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("disk on fire");
          }
        };
    assertThatThrownBy(() -> Bencode.decode(failing))
        .isInstanceOf(UncheckedIOException.class)
        .hasRootCauseMessage("disk on fire");
  }

  @Test
  void decodesAPrefixAndSaysWhereItEnded() {
    byte[] message = "xd8:msg_typei1e5:piecei0eeRAWPAYLOAD".getBytes(ISO_8859_1);
    BencodePrefix prefix = Bencode.decoder().decodePrefix(message, 1, message.length - 1);
    assertThat(prefix.value())
        .isEqualTo(BencodeDictionary.builder().put("msg_type", 1).put("piece", 0).build());
    assertThat(prefix.encodedLength()).isEqualTo(25);
    assertThat(new String(message, 1 + prefix.encodedLength(), 10, ISO_8859_1))
        .isEqualTo("RAWPAYLOAD");
  }

  @Test
  void rejectsBadConfiguration() {
    assertThatThrownBy(() -> Bencode.decoder().withMaxDepth(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDepth: 0 (expected: > 0)");
    assertThatThrownBy(() -> Bencode.decoder().withMaxInputBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInputBytes: -1 (expected: > 0)");
  }
}
