/**
 * The implementation of the tracker clients and server: codecs, Netty handlers, the announce loop.
 * Not API: everything here may change without notice.
 */
package org.functorrent.tracker.internal;
