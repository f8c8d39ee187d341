/**
 * Pieces on disk: piece-to-file mapping, positional I/O, SHA-1 verification, fast resume, file
 * selection and statistics.
 *
 * <p>{@link Storage} is the interface the rest of the library talks to; {@link Storages} makes the
 * file-system implementation (the default) and an in-memory one for tests. Every operation returns
 * a {@link java.util.concurrent.CompletableFuture} completed on the storage's executor, so callers
 * on an event loop never block on disk I/O or hashing. Failures of the disk are {@link
 * StorageException}s that name the path.
 */
package org.functorrent.storage;
