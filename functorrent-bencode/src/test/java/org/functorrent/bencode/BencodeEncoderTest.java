package org.functorrent.bencode;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableMap;
import org.junit.jupiter.api.Test;

class BencodeEncoderTest {

  private static String encode(BencodeValue value) {
    return new String(Bencode.encode(value), ISO_8859_1);
  }

  @Test
  void encodesEachKindCanonically() {
    assertThat(encode(BencodeString.of("spam"))).isEqualTo("4:spam");
    assertThat(encode(BencodeInteger.of(0))).isEqualTo("i0e");
    assertThat(encode(BencodeInteger.of(-42))).isEqualTo("i-42e");
    assertThat(encode(BencodeInteger.of(Long.MIN_VALUE))).isEqualTo("i-9223372036854775808e");
    assertThat(encode(BencodeInteger.of(Long.MAX_VALUE))).isEqualTo("i9223372036854775807e");
    assertThat(encode(BencodeList.of(BencodeInteger.of(1), BencodeString.of(""))))
        .isEqualTo("li1e0:e");
  }

  @Test
  void dictionaryKeysAreWrittenInUnsignedByteOrder() {
    BencodeDictionary d =
        BencodeDictionary.of(
            ImmutableMap.of(
                "zeta", BencodeInteger.of(1),
                "alpha", BencodeInteger.of(2),
                "Beta", BencodeInteger.of(3),
                "\u00e9", BencodeInteger.of(4)));
    assertThat(encode(d)).isEqualTo("d4:Betai3e5:alphai2e4:zetai1e2:\u00c3\u00a9i4ee");
  }

  @Test
  void aLaterPutReplacesTheValue() {
    BencodeDictionary d = BencodeDictionary.builder().put("a", 1).put("a", 2).build();
    assertThat(encode(d)).isEqualTo("d1:ai2ee");
    assertThat(encode(d.toBuilder().remove("a").put("b", "x").build())).isEqualTo("d1:b1:xe");
  }

  @Test
  void theBuilderRefusesNullValues() {
    assertThatThrownBy(() -> BencodeDictionary.builder().put("a", (BencodeValue) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value of \"a\": null (expected: a value)");
  }

  @Test
  void stringsAreImmutableCopies() {
    byte[] bytes = {1, 2, 3};
    BencodeString s = BencodeString.of(bytes);
    bytes[0] = 9;
    s.toByteArray()[1] = 9;
    assertThat(s.toByteArray()).containsExactly(1, 2, 3);
    assertThat(s.asByteBuffer().isReadOnly()).isTrue();
  }

  @Test
  void toStringShowsTextOrHexAndShortensLongValues() {
    assertThat(BencodeString.of("abc")).hasToString("\"abc\"");
    assertThat(BencodeString.of(new byte[] {0, (byte) 0xff})).hasToString("0x00ff");
    assertThat(BencodeString.of("x".repeat(100)).toString())
        .isEqualTo("\"" + "x".repeat(64) + "\"...(100 bytes)");
  }
}
