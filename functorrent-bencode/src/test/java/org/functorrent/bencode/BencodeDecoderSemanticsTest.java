package org.functorrent.bencode;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder's contract as the benchmarks' optimisations must keep it: strict validation with
 * error offsets, limits against hostile input, duplicate and unsorted keys, original encodings,
 * and values that stay correct however lists and dictionaries nest and repeat keys.
 */
class BencodeDecoderSemanticsTest {

  private static byte[] bytes(String latin1) {
    return latin1.getBytes(ISO_8859_1);
  }

  private static BencodeValue decode(String latin1) {
    return Bencode.decode(bytes(latin1));
  }

  private static String encode(BencodeValue value) {
    return new String(Bencode.encode(value), ISO_8859_1);
  }

  private static void assertError(String input, long offset, String messagePart) {
    assertThatThrownBy(() -> decode(input))
        .isInstanceOf(BencodeException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((BencodeException) e).offset()).isEqualTo(offset));
  }

  @Test
  void canonicalDocumentsRoundTrip() {
    for (String doc :
        new String[] {
          "i0e",
          "i-42e",
          "0:",
          "4:spam",
          "le",
          "de",
          "l4:spami42ee",
          "d3:bar4:spam3:fooi42ee",
          "d4:infod6:lengthi10e4:name3:abc12:piece lengthi16384e6:pieces0:ee",
          "lld1:ai1eeeld1:ai2eeee",
          "d1:ald1:xi1eed1:xi2eed1:yi3eeee"
        }) {
      assertThat(encode(decode(doc))).as(doc).isEqualTo(doc);
    }
  }

  @Test
  void dictionariesInAListKeepTheirOwnKeys() {
    // Same length, different bytes, at the same positions as in the previous dictionary.
    BencodeList list =
        (BencodeList) decode("ld2:abi1e2:cdi2eed2:aci3e2:cdi4eed2:abi5eeded1:xi6eee");
    assertThat(list.size()).isEqualTo(5);
    BencodeDictionary second = (BencodeDictionary) list.get(1);
    assertThat(second.keys()).containsExactly(BencodeString.of("ac"), BencodeString.of("cd"));
    assertThat(second.get("ac")).contains(BencodeInteger.of(3));
    assertThat(second.get("ab")).isEmpty();
    BencodeDictionary third = (BencodeDictionary) list.get(2);
    assertThat(third.keys()).containsExactly(BencodeString.of("ab"));
    assertThat(((BencodeDictionary) list.get(3)).isEmpty()).isTrue();
    assertThat(((BencodeDictionary) list.get(4)).get("x")).contains(BencodeInteger.of(6));
  }

  @Test
  void manyNestedValuesDecodeToTheRightSlots() {
    // Containers inside containers, each with more elements than any initial buffer.
    StringBuilder doc = new StringBuilder("d");
    List<String> keys = new ArrayList<>();
    for (int k = 0; k < 40; k++) {
      keys.add(String.format("key%03d", k));
    }
    for (int k = 0; k < keys.size(); k++) {
      doc.append(keys.get(k).length()).append(':').append(keys.get(k)).append('l');
      for (int i = 0; i < 50; i++) {
        doc.append("d1:ki").append(k).append("e1:vi").append(i).append("ee");
      }
      doc.append('e');
    }
    doc.append('e');
    BencodeDictionary top = (BencodeDictionary) decode(doc.toString());
    assertThat(top.size()).isEqualTo(40);
    for (int k = 0; k < keys.size(); k++) {
      BencodeList list = (BencodeList) top.get(keys.get(k)).orElseThrow();
      assertThat(list.size()).isEqualTo(50);
      for (int i = 0; i < 50; i++) {
        BencodeDictionary entry = (BencodeDictionary) list.get(i);
        assertThat(entry.get("k")).contains(BencodeInteger.of(k));
        assertThat(entry.get("v")).contains(BencodeInteger.of(i));
      }
    }
    assertThat(encode(top)).isEqualTo(doc.toString());
  }

  @Test
  void integersAreStrictAndSixtyFourBit() {
    assertThat(decode("i9223372036854775807e")).isEqualTo(BencodeInteger.of(Long.MAX_VALUE));
    assertThat(decode("i-9223372036854775808e")).isEqualTo(BencodeInteger.of(Long.MIN_VALUE));
    assertError("i9223372036854775808e", 0, "does not fit in 64 bits");
    assertError("i-9223372036854775809e", 0, "does not fit in 64 bits");
    assertError("i99999999999999999999999e", 0, "does not fit in 64 bits");
    assertError("i03e", 1, "leading zero");
    assertError("i-03e", 2, "leading zero");
    assertError("i-0e", 0, "negative zero");
    assertError("ie", 1, "expected: a digit");
    assertError("i-e", 2, "expected: a digit");
    assertError("i12xe", 3, "expected: a digit or 'e'");
    assertError("i12", 3, "unexpected end of input");
  }

  @Test
  void stringsAreStrictAndCheckedBeforeAllocating() {
    assertError("03:abc", 0, "leading zero");
    assertError("5:abc", 0, "string length 5 bytes declared, only 3 left");
    assertError("99999999999999999999999999:abc", 0, "of more than");
    assertError("2147483648:", 0, "of more than");
    assertError("3abc", 1, "expected: ':' after a string length");
    assertError("12", 2, "unexpected end of input");
    assertThat(decode("0:")).isEqualTo(BencodeString.of(new byte[0]));
  }

  @Test
  void structureErrorsHaveOffsets() {
    assertError("", 0, "unexpected end of input");
    assertError("l", 1, "expected: a value or 'e' to end the list");
    assertError("d", 1, "expected: a key or 'e' to end the dictionary");
    assertError("d1:a", 4, "expected: a value");
    assertError("di1ei2ee", 1, "expected: a byte-string key or 'e'");
    assertError("x", 0, "unexpected 'x'");
    assertError("i1ex", 3, "trailing data");
    assertError("l4:spami1e", 10, "expected: a value or 'e' to end the list");
  }

  @Test
  void errorOffsetsCountFromTheGivenOffset() {
    byte[] input = bytes("xxli03ee");
    assertThatThrownBy(() -> Bencode.decoder().decode(input, 2, input.length - 2))
        .isInstanceOf(BencodeException.class)
        .satisfies(e -> assertThat(((BencodeException) e).offset()).isEqualTo(2));
    ByteBuffer buffer = ByteBuffer.wrap(bytes("zzzd1:ai1e1:ai2ee"));
    buffer.position(3);
    assertThatThrownBy(() -> Bencode.decode(buffer))
        .isInstanceOf(BencodeException.class)
        .hasMessageContaining("duplicate dictionary key")
        .satisfies(e -> assertThat(((BencodeException) e).offset()).isEqualTo(7));
  }

  @Test
  void lenientAcceptsWhatStrictRejectsButNotDuplicates() {
    BencodeDecoder lenient = Bencode.decoder().lenient();
    assertThat(lenient.isStrict()).isFalse();
    assertThat(lenient.decode(bytes("i03e"))).isEqualTo(BencodeInteger.of(3));
    assertThat(lenient.decode(bytes("i-0e"))).isEqualTo(BencodeInteger.of(0));
    assertThat(lenient.decode(bytes("03:abc"))).isEqualTo(BencodeString.of("abc"));
    assertThat(lenient.decode(bytes("i1exyz"))).isEqualTo(BencodeInteger.of(1));
    assertThatThrownBy(() -> lenient.decode(bytes("d1:ai1e1:ai2ee")))
        .isInstanceOf(BencodeException.class);
  }

  @Test
  void nestingDepthIsLimited() {
    assertThat(Bencode.decoder().withMaxDepth(3).decode(bytes("llleee"))).isNotNull();
    assertThatThrownBy(() -> Bencode.decoder().withMaxDepth(3).decode(bytes("lllleeee")))
        .isInstanceOf(BencodeException.class)
        .hasMessageContaining("nesting deeper than 3")
        .satisfies(e -> assertThat(((BencodeException) e).offset()).isEqualTo(3));
    assertThatThrownBy(() -> Bencode.decoder().withMaxDepth(2).decode(bytes("d1:ad1:bd1:ci1eeee")))
        .isInstanceOf(BencodeException.class)
        .satisfies(e -> assertThat(((BencodeException) e).offset()).isEqualTo(8));
    int max = BencodeDecoder.DEFAULT_MAX_DEPTH;
    assertThat(decode("l".repeat(max) + "e".repeat(max))).isNotNull();
    assertError("l".repeat(max + 1) + "e".repeat(max + 1), max, "nesting deeper than");
  }

  @Test
  void duplicateKeysAreRejectedWhereTheyRepeat() {
    assertError("d1:ai1e1:ai2ee", 7, "duplicate dictionary key \"a\"");
    // Unsorted: found when sorting, reported at the second occurrence.
    assertError("d1:bi1e1:ai2e1:bi3ee", 13, "duplicate dictionary key \"b\"");
    assertError("ld1:xi1eed1:bld1:bi1eee1:ai2e1:bi3eee", 29, "duplicate dictionary key \"b\"");
  }

  @Test
  void unsortedKeysAreAcceptedSortedAndTheOriginalKept() {
    String original = "d4:infod4:name1:x6:lengthi3eee";
    BencodeDictionary top = (BencodeDictionary) decode(original);
    BencodeDictionary info = (BencodeDictionary) top.get("info").orElseThrow();
    assertThat(info.keys()).containsExactly(BencodeString.of("length"), BencodeString.of("name"));
    assertThat(encode(info)).isEqualTo("d6:lengthi3e4:name1:xe");
    assertThat(info.originalEncoding()).hasValueSatisfying(
        raw -> assertThat(new String(raw, ISO_8859_1)).isEqualTo("d4:name1:x6:lengthi3ee"));
    assertThat(top.originalEncoding()).hasValueSatisfying(
        raw -> assertThat(new String(raw, ISO_8859_1)).isEqualTo(original));
  }

  @Test
  void originalEncodingIsExactWithinALargerBuffer() {
    byte[] input = bytes("..ld1:ai1eed1:bi2eee..");
    BencodeList list = (BencodeList) Bencode.decoder().decode(input, 2, input.length - 4);
    assertThat(((BencodeDictionary) list.get(1)).originalEncoding()).hasValueSatisfying(
        raw -> assertThat(new String(raw, ISO_8859_1)).isEqualTo("d1:bi2ee"));
    assertThat(BencodeDictionary.of().originalEncoding()).isEmpty();
  }

  @Test
  void decodePrefixStopsAfterTheValue() {
    byte[] input = bytes("d8:msg_typei1e5:piecei0eeRAW-PAYLOAD");
    BencodePrefix prefix = Bencode.decoder().decodePrefix(input, 0, input.length);
    assertThat(prefix.encodedLength()).isEqualTo(25);
    assertThat(prefix.value()).isEqualTo(decode("d8:msg_typei1e5:piecei0ee"));
  }
}
