package org.functorrent.peer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A peer for hostile-peer tests: plain blocking sockets and just enough of the wire protocol to
 * misbehave on purpose. It either listens on loopback (our client dials it) or dials one of our
 * clients; each connection runs a {@link Behaviour} on a thread of its own. {@link Wire#awaitClose}
 * tells whether the other side closed the connection.
 */
final class RawPeer implements AutoCloseable {
  /** What the raw peer does on one connection. */
  interface Behaviour {
    void run(Wire wire) throws Exception;
  }

  /** Message ids of BEP 3 and BEP 6. */
  static final int CHOKE = 0;
  static final int UNCHOKE = 1;
  static final int INTERESTED = 2;
  static final int NOT_INTERESTED = 3;
  static final int HAVE = 4;
  static final int BITFIELD = 5;
  static final int REQUEST = 6;
  static final int PIECE = 7;
  static final int CANCEL = 8;
  static final int HAVE_ALL = 14;
  static final int HAVE_NONE = 15;
  static final int REJECT = 16;

  static final long FAST_EXTENSION = 0x04L;

  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  /** Connections accepted so far. */
  final List<Wire> wires = new CopyOnWriteArrayList<>();
  /** The first connection's behaviour ended: normally or with the exception it threw. */
  final CompletableFuture<Wire> firstDone = new CompletableFuture<>();

  private RawPeer(ServerSocket server, Behaviour behaviour) {
    this.server = server;
    this.acceptor = new Thread(() -> acceptLoop(behaviour), "raw-peer-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on 127.0.0.1 and runs {@code behaviour} on every connection it accepts. */
  static RawPeer listen(Behaviour behaviour) throws IOException {
    return new RawPeer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), behaviour);
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  private void acceptLoop(Behaviour behaviour) {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      sockets.add(s);
      Wire wire = new Wire(s);
      wires.add(wire);
      Thread t = new Thread(() -> runBehaviour(wire, behaviour), "raw-peer");
      t.setDaemon(true);
      t.start();
    }
  }

  private void runBehaviour(Wire wire, Behaviour behaviour) {
    try {
      behaviour.run(wire);
      wire.done.complete(null);
    } catch (Throwable e) {
      wire.done.completeExceptionally(e);
    }
    if (wires.get(0) == wire) {
      wire.done.whenComplete((v, e) -> {
        if (e == null) {
          firstDone.complete(wire);
        } else {
          firstDone.completeExceptionally(e);
        }
      });
    }
  }

  /** Dials {@code address} and runs {@code behaviour} on this thread. */
  static Wire dial(InetSocketAddress address, Behaviour behaviour) throws Exception {
    return dial(address, 0, behaviour);
  }

  /**
   * Dials {@code address} with a socket receive buffer of {@code receiveBuffer} bytes (the
   * system's default when 0; set before connecting, so that the TCP window stays that small) and
   * runs {@code behaviour} on this thread.
   */
  static Wire dial(InetSocketAddress address, int receiveBuffer, Behaviour behaviour)
      throws Exception {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    s.connect(address);
    Wire wire = new Wire(s);
    try {
      behaviour.run(wire);
      return wire;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }

  /** A frame received: its id ({@code -1} for a keep-alive) and payload. */
  record Frame(int id, byte[] payload) {
    int intAt(int offset) {
      return ByteBuffer.wrap(payload).getInt(offset);
    }
  }

  /** One connection of the raw peer. */
  static final class Wire {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    byte[] remoteInfoHash;
    byte[] remotePeerId;
    long remoteReserved;

    Wire(Socket socket) {
      this.socket = socket;
      try {
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void sendHandshake(byte[] infoHash, byte[] peerId, long reserved) throws IOException {
      out.writeByte(19);
      out.write("BitTorrent protocol".getBytes(StandardCharsets.US_ASCII));
      out.writeLong(reserved);
      out.write(infoHash);
      out.write(peerId);
      out.flush();
    }

    /** Reads the other side's handshake. */
    void readHandshake() throws IOException {
      byte[] hs = new byte[68];
      in.readFully(hs);
      ByteBuffer b = ByteBuffer.wrap(hs);
      remoteReserved = b.getLong(20);
      remoteInfoHash = java.util.Arrays.copyOfRange(hs, 28, 48);
      remotePeerId = java.util.Arrays.copyOfRange(hs, 48, 68);
    }

    void send(int id, byte[] payload) throws IOException {
      out.writeInt(1 + payload.length);
      out.writeByte(id);
      out.write(payload);
      out.flush();
    }

    void send(int id) throws IOException {
      send(id, new byte[0]);
    }

    void sendInts(int id, int... values) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(4 * values.length);
      for (int v : values) {
        b.putInt(v);
      }
      send(id, b.array());
    }

    void sendPiece(int piece, int offset, byte[] block) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(8 + block.length);
      b.putInt(piece).putInt(offset).put(block);
      send(PIECE, b.array());
    }

    /** The next frame, or null once the other side closed the connection. */
    Frame read() throws IOException {
      try {
        int length = in.readInt();
        if (length == 0) {
          return new Frame(-1, new byte[0]);
        }
        if (length < 0 || length > 1 << 20) {
          throw new IOException("frame of " + length + " bytes");
        }
        int id = in.readUnsignedByte();
        byte[] payload = new byte[length - 1];
        in.readFully(payload);
        return new Frame(id, payload);
      } catch (EOFException | SocketException e) {
        return null;
      }
    }

    /** Reads frames until one with {@code id} arrives; null if the connection closes first. */
    Frame readUntil(int id) throws IOException {
      for (Frame f = read(); f != null; f = read()) {
        if (f.id() == id) {
          return f;
        }
      }
      return null;
    }

    /** Whether the other side has closed the connection: one read that waits a millisecond. */
    boolean closedNow() throws IOException {
      try {
        socket.setSoTimeout(1);
        return socket.getInputStream().read(new byte[8192]) < 0;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true; // reset by the other side
      }
    }

    /**
     * Whether the other side closes the connection within {@code millis}, reading and dropping
     * whatever it sends meanwhile.
     */
    boolean awaitClose(long millis) throws IOException {
      long deadline = System.nanoTime() + millis * 1_000_000L;
      byte[] sink = new byte[8192];
      try {
        while (true) {
          long left = (deadline - System.nanoTime()) / 1_000_000L;
          if (left <= 0) {
            return false;
          }
          socket.setSoTimeout((int) Math.max(1, left));
          try {
            if (socket.getInputStream().read(sink) < 0) {
              return true;
            }
          } catch (SocketTimeoutException e) {
            return false;
          }
        }
      } catch (SocketException e) {
        return true; // reset by the other side
      } finally {
        if (!socket.isClosed()) {
          socket.setSoTimeout(0);
        }
      }
    }
  }
}
