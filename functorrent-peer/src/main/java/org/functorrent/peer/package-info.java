/**
 * The peer wire protocol (BEP 3, 6, 10) on Netty pipelines and the swarm engine. Not yet implemented: see issue 5.
 */
package org.functorrent.peer;
