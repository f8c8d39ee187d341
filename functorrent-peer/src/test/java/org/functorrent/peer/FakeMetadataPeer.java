package org.functorrent.peer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import org.functorrent.bencode.Bencode;
import org.functorrent.bencode.BencodeDictionary;
import org.functorrent.bencode.BencodeInteger;
import org.functorrent.bencode.BencodePrefix;
import org.functorrent.metainfo.InfoHash;
import org.functorrent.metainfo.PeerId;

/**
 * A hand-written peer on a blocking socket that offers metadata (BEP 9) as a test tells it: any
 * {@code metadata_size}, and for each request the bytes {@code answer} gives (null: a reject). It
 * accepts one connection at a time and records the pieces asked of it and when it was closed.
 */
final class FakeMetadataPeer implements AutoCloseable {
  private static final int OUR_METADATA_ID = 3;

  private final ServerSocket server;
  private final InfoHash infoHash;
  private final long claimedSize;
  private final IntFunction<byte[]> answer;
  private final long totalSizeSent;
  final List<Integer> requested = new CopyOnWriteArrayList<>();
  /** The msg_type of each answer to the request this peer sends once it knows our id. */
  final List<Long> answersToOurRequest = new CopyOnWriteArrayList<>();
  final CompletableFuture<Void> answered = new CompletableFuture<>();
  final CompletableFuture<Void> closedByPeer = new CompletableFuture<>();
  private final Thread thread;

  FakeMetadataPeer(InfoHash infoHash, long claimedSize, IntFunction<byte[]> answer)
      throws IOException {
    this(infoHash, claimedSize, claimedSize, answer);
  }

  FakeMetadataPeer(InfoHash infoHash, long claimedSize, long totalSizeSent,
      IntFunction<byte[]> answer) throws IOException {
    this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    this.infoHash = infoHash;
    this.claimedSize = claimedSize;
    this.totalSizeSent = totalSizeSent;
    this.answer = answer;
    this.thread = new Thread(this::run, "fake-metadata-peer");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  private void run() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        serve(s);
      } catch (IOException e) {
        if (!server.isClosed()) {
          closedByPeer.complete(null);
        }
      }
    }
  }

  private void serve(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    byte[] theirs = new byte[68];
    in.readFully(theirs);
    out.writeByte(19);
    out.write("BitTorrent protocol".getBytes(US_ASCII));
    out.write(new byte[] {0, 0, 0, 0, 0, 0x10, 0, 0});
    out.write(infoHash.toByteArray());
    out.write(PeerId.random("-ZZ0001-").toByteArray());
    BencodeDictionary.Builder h =
        BencodeDictionary.builder()
            .put("m", BencodeDictionary.builder().put("ut_metadata", OUR_METADATA_ID).build());
    if (claimedSize != 0) {
      h.put("metadata_size", claimedSize);
    }
    writeExtended(out, 0, Bencode.encode(h.build()));
    int theirMetadataId = -1;
    while (true) {
      int length;
      try {
        length = in.readInt();
      } catch (IOException e) {
        closedByPeer.complete(null);
        return;
      }
      byte[] frame = new byte[length];
      in.readFully(frame);
      if (length < 2 || frame[0] != 20) {
        continue;
      }
      byte[] payload = Arrays.copyOfRange(frame, 2, frame.length);
      if (frame[1] == 0) {
        BencodeDictionary d = (BencodeDictionary) Bencode.decoder().lenient().decode(payload);
        BencodeDictionary m = (BencodeDictionary) d.get("m").orElseThrow();
        theirMetadataId = (int) ((BencodeInteger) m.get("ut_metadata").orElseThrow()).value();
        // Ask for piece 0 ourselves: a side that has no metadata must reject (BEP 9).
        writeExtended(out, theirMetadataId, Bencode.encode(BencodeDictionary.builder()
            .put("msg_type", 0).put("piece", 0).build()));
      } else if (frame[1] == OUR_METADATA_ID) {
        BencodePrefix p = Bencode.decoder().lenient().decodePrefix(payload, 0, payload.length);
        BencodeDictionary d = (BencodeDictionary) p.value();
        long type = ((BencodeInteger) d.get("msg_type").orElseThrow()).value();
        if (type != 0) {
          answersToOurRequest.add(type);
          answered.complete(null);
          continue;
        }
        int piece = (int) ((BencodeInteger) d.get("piece").orElseThrow()).value();
        requested.add(piece);
        byte[] bytes = answer.apply(piece);
        BencodeDictionary.Builder reply = BencodeDictionary.builder().put("piece", piece);
        if (bytes == null) {
          reply.put("msg_type", 2);
          writeExtended(out, theirMetadataId, Bencode.encode(reply.build()));
        } else {
          reply.put("msg_type", 1).put("total_size", totalSizeSent);
          byte[] dict = Bencode.encode(reply.build());
          byte[] all = Arrays.copyOf(dict, dict.length + bytes.length);
          System.arraycopy(bytes, 0, all, dict.length, bytes.length);
          writeExtended(out, theirMetadataId, all);
        }
      }
    }
  }

  private static void writeExtended(DataOutputStream out, int id, byte[] payload)
      throws IOException {
    out.writeInt(2 + payload.length);
    out.writeByte(20);
    out.writeByte(id);
    out.write(payload);
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
