// libblkid, for what a block device holds (a filesystem, a partition table, LVM, RAID, swap):
// the detection util-linux's own tools (wipefs, blkid) use, so swio needs no magic numbers.
#ifndef CBLKID_H
#define CBLKID_H
#include <stddef.h>

/// Probes `path` for superblocks and partition tables. Returns 1 and fills `type` (e.g. "ext4",
/// "swap", "LVM2_member", "linux_raid_member", or the partition table's "gpt"/"dos"), `usage`
/// ("filesystem", "raid", "crypto", "other", or "partition table") and `label` (may be empty)
/// when something is found, 0 when nothing is, -errno when the probe fails. Several
/// signatures at once count as found, with type "ambiguous".
int cswio_blkid_probe(const char *path, char *type, size_t type_len, char *usage, size_t usage_len,
                      char *label, size_t label_len);
#endif
