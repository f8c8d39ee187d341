/**
 * The implementation of {@link org.functorrent.storage}: file layout, the open-file cache, the
 * file-system and in-memory storages, fast-resume records. Internal: these types may change in any
 * release without notice; use {@link org.functorrent.storage.Storages}.
 */
package org.functorrent.storage.internal;
