package org.functorrent.benchmarks;

import bt.bencoding.serializers.BEParser;
import bt.bencoding.types.BEMap;
import bt.bencoding.types.BEString;
import com.turn.ttorrent.bcodec.BDecoder;
import com.turn.ttorrent.bcodec.BEValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeString;
import org.functorrent.bencode.BencodeValue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decodes the same bencoded inputs with FuncTorrent's decoder, bt-bencoding's {@code BEParser} and
 * ttorrent's {@code BDecoder}, side by side.
 *
 * <p>The primary score is decoded documents per second; the secondary score {@code inputMB} (unit
 * shown as ops/s) is megabytes (10^6 bytes) of input decoded per second, the figure to compare
 * across inputs. The inputs are generated at setup from a fixed seed; their sizes are printed.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class BencodeDecodeBenchmark {

  /** Which generated document to decode. */
  @Param({"torrent", "dictionary", "tracker"})
  public String input;

  private byte[] bytes;

  /** Counts megabytes of input decoded; JMH reports it per second next to the primary score. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Throughput {
    public double inputMB;

    @Setup(Level.Iteration)
    public void reset() {
      inputMB = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    bytes = generate(input);
    System.out.printf("%n[input %s: %,d bytes]%n", input, bytes.length);
    checkDecodersAgree();
  }

  @Benchmark
  public void functorrent(Throughput throughput, Blackhole blackhole) {
    blackhole.consume(Bencode.decode(bytes));
    throughput.inputMB += bytes.length / 1e6;
  }

  @Benchmark
  public void btBencoding(Throughput throughput, Blackhole blackhole) {
    try (BEParser parser = new BEParser(bytes)) {
      blackhole.consume(parser.readMap());
    }
    throughput.inputMB += bytes.length / 1e6;
  }

  @Benchmark
  public void ttorrent(Throughput throughput, Blackhole blackhole) throws IOException {
    blackhole.consume(BDecoder.bdecode(ByteBuffer.wrap(bytes)));
    throughput.inputMB += bytes.length / 1e6;
  }

  static byte[] generate(String input) {
    switch (input) {
      case "torrent":
        return InputGenerator.torrent(0x5EED_0001L);
      case "dictionary":
        return InputGenerator.dictionary(0x5EED_0002L, InputGenerator.DICTIONARY_KEYS);
      case "tracker":
        return InputGenerator.trackerResponse(0x5EED_0003L);
      default:
        throw new IllegalArgumentException("unknown input: " + input);
    }
  }

  /**
   * Fails the trial unless all three decoders read the whole document: the same number of
   * top-level entries, and all {@link InputGenerator#DICTIONARY_KEYS} for the large dictionary.
   */
  private void checkDecodersAgree() throws IOException {
    BencodeValue ours = Bencode.decode(bytes);
    int oursSize = ((BencodeDictionary) ours).size();
    int btSize;
    try (BEParser parser = new BEParser(bytes)) {
      BEMap map = parser.readMap();
      btSize = map.getValue().size();
    }
    BEValue theirs = BDecoder.bdecode(ByteBuffer.wrap(bytes));
    int ttorrentSize = theirs.getMap().size();
    if (oursSize != btSize || oursSize != ttorrentSize) {
      throw new IllegalStateException(
          String.format(
              "decoders disagree on %s: functorrent %d, bt-bencoding %d, ttorrent %d entries",
              input, oursSize, btSize, ttorrentSize));
    }
    if (input.equals("dictionary") && oursSize != InputGenerator.DICTIONARY_KEYS) {
      throw new IllegalStateException(
          "dictionary decoded to " + oursSize + " entries, not " + InputGenerator.DICTIONARY_KEYS);
    }
    if (input.equals("torrent")) {
      // The pieces string is the bulk of a torrent: make sure every decoder got all of it.
      int expected = InputGenerator.TORRENT_PIECES * 20;
      BencodeDictionary info =
          (BencodeDictionary) ((BencodeDictionary) ours).get("info").orElseThrow();
      int oursPieces = ((BencodeString) info.get("pieces").orElseThrow()).length();
      int btPieces;
      try (BEParser parser = new BEParser(bytes)) {
        BEMap btInfo = (BEMap) parser.readMap().getValue().get("info");
        btPieces = ((BEString) btInfo.getValue().get("pieces")).getValue().length;
      }
      int ttorrentPieces = theirs.getMap().get("info").getMap().get("pieces").getBytes().length;
      if (oursPieces != expected || btPieces != expected || ttorrentPieces != expected) {
        throw new IllegalStateException(
            String.format(
                "pieces string not decoded whole: functorrent %d, bt-bencoding %d, ttorrent %d"
                    + " bytes (expected: %d)",
                oursPieces, btPieces, ttorrentPieces, expected));
      }
    }
    System.out.printf(
        "[sanity check %s: %d top-level entries from each decoder]%n", input, oursSize);
  }
}
