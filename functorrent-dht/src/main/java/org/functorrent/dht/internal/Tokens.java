package org.functorrent.dht.internal;

import com.google.common.base.Ticker;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import org.functorrent.bencode.BencodeString;

/**
 * Write tokens for get_peers / announce_peer (BEP 5): a keyed hash (HMAC-SHA256, truncated to 8
 * bytes) of the querier's IP address under a secret that is replaced every {@link #ROTATION}. A
 * token made under the current or the previous secret is accepted, so a token lives 5 to 10
 * minutes. Not thread-safe (confined to the node's event loop).
 */
public final class Tokens {
  /** How often the secret changes. */
  public static final Duration ROTATION = Duration.ofMinutes(5);

  static final int TOKEN_LENGTH = 8;

  private final Ticker ticker;
  private final SecureRandom random;
  private HashFunction current;
  private HashFunction previous;
  private long rotatedAt;

  public Tokens(Ticker ticker, SecureRandom random) {
    this.ticker = ticker;
    this.random = random;
    this.current = newKey();
    this.previous = newKey();
    this.rotatedAt = ticker.read();
  }

  private HashFunction newKey() {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    return Hashing.hmacSha256(secret);
  }

  private void rotateIfDue() {
    long now = ticker.read();
    long period = ROTATION.toNanos();
    if (now - rotatedAt >= 2 * period) {
      previous = newKey();
      current = newKey();
      rotatedAt = now;
    } else if (now - rotatedAt >= period) {
      previous = current;
      current = newKey();
      rotatedAt += period;
    }
  }

  /** The token to give the node at {@code ip}. */
  public BencodeString tokenFor(InetAddress ip) {
    rotateIfDue();
    return BencodeString.of(token(current, ip));
  }

  /** Whether {@code token} was given to {@code ip} under the current or the previous secret. */
  public boolean isValid(BencodeString token, InetAddress ip) {
    rotateIfDue();
    byte[] presented = token.toByteArray();
    // Both compared every time, in constant time.
    boolean a = MessageDigest.isEqual(presented, token(current, ip));
    boolean b = MessageDigest.isEqual(presented, token(previous, ip));
    return a | b;
  }

  private static byte[] token(HashFunction key, InetAddress ip) {
    return Arrays.copyOf(key.hashBytes(ip.getAddress()).asBytes(), TOKEN_LENGTH);
  }
}
