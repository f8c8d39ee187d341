package org.functorrent.dht;

/**
 * Counters of a {@link DhtNode}, a snapshot taken by {@link DhtNode#stats()}.
 *
 * @param routingTableNodes nodes in the routing table, of every state
 * @param buckets buckets of the routing table
 * @param storedInfoHashes info-hashes with peers announced to us
 * @param storedPeers peers announced to us, all info-hashes together
 * @param queriesSent queries we sent
 * @param responsesReceived responses to our queries
 * @param errorsReceived KRPC errors in answer to our queries
 * @param timeouts queries of ours that got no answer in time
 * @param queriesReceived well-formed queries others sent us
 * @param droppedMalformed datagrams that were not valid KRPC (bad bencode, missing or wrong keys,
 *     bogus compact lengths)
 * @param droppedOversized datagrams larger than we accept
 * @param droppedUnknownTransaction answers whose transaction id we had not issued (or that came
 *     too late)
 * @param droppedWrongAddress answers from another address than the one queried
 * @param droppedFiltered datagrams from addresses the options' address filter refuses
 * @param rejectedPerIp times a node was kept out of the routing table because its IP address
 *     had enough nodes there already
 * @param lookupsRunning lookups in progress
 */
public record DhtStats(
    int routingTableNodes,
    int buckets,
    int storedInfoHashes,
    int storedPeers,
    long queriesSent,
    long responsesReceived,
    long errorsReceived,
    long timeouts,
    long queriesReceived,
    long droppedMalformed,
    long droppedOversized,
    long droppedUnknownTransaction,
    long droppedWrongAddress,
    long droppedFiltered,
    long rejectedPerIp,
    int lookupsRunning) {

  /** All datagrams dropped, whatever the reason. */
  public long dropped() {
    return droppedMalformed
        + droppedOversized
        + droppedUnknownTransaction
        + droppedWrongAddress
        + droppedFiltered;
  }
}
