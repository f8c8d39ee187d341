/**
 * HTTP and UDP tracker clients (BEP 3, 15), multitracker tiers (BEP 12) and an embeddable tracker. Not yet implemented: see issue 3.
 */
package org.functorrent.tracker;
