/**
 * Pieces on disk: piece-to-file mapping, positional I/O, hashing, verification and statistics. Not yet implemented: see issue 4.
 */
package org.functorrent.storage;
